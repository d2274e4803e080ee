import { VCSIM_ENABLE_COMMAND, VCSIM_TIER, vcsimBuilt } from './vcsim-tier';

/** vitest globalSetup: when the vCenter tier is left out, say so before and after the run, where nobody misses it. */
const banner = () =>
  [
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    `!! vCenter tier SKIPPED: vcsim is not built, so ${VCSIM_TIER.length} test files against the real`,
    '!! vSphere API did not run. Enable them with:',
    `!!     ${VCSIM_ENABLE_COMMAND}`,
    '!! (installs golang-go and golang-github-vmware-govmomi-dev with apt-get; needs root or sudo)',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n');

export default function setup() {
  if (vcsimBuilt()) return;
  console.warn(banner());
  return () => console.warn(banner());
}
