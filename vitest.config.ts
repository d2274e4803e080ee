import { configDefaults, defineConfig } from 'vitest/config';
import { VCSIM_TIER, vcsimBuilt } from './test/support/vcsim-tier.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Without vcsim the vCenter tier is left out, loudly (test/support/vcsim-tier-banner.ts).
    exclude: [...configDefaults.exclude, ...(vcsimBuilt() ? [] : VCSIM_TIER)],
    globalSetup: ['test/support/vcsim-tier-banner.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start servers on loopback ports; keep files isolated in their own processes.
    pool: 'forks',
    env: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
