/**
 * Start simulated iDRACs for manual use:
 *   npx tsx infra/local/simulators/cli.ts --count 3
 *   npx tsx infra/local/simulators/cli.ts --count 10 --generation mix --https-port 8443 --wsman-port 5986 --speed 20
 * Prints each endpoint (address, ports, credentials, certificate thumbprint) and runs until Ctrl-C.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SimulatorFleet } from './fleet';
import type { Generation } from './identity/profiles';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '3' },
    base: { type: 'string', default: '127.0.0.11' },
    'https-port': { type: 'string', default: '0' },
    'wsman-port': { type: 'string', default: '0' },
    generation: { type: 'string', default: 'idrac9' },
    seed: { type: 'string', default: 'eio' },
    speed: { type: 'string', default: '10' },
    'cert-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Options:
  --count N              endpoints to start (default 3)
  --base ADDR            first loopback address (default 127.0.0.11, inside the demo site's 127.0.0.0/24)
  --https-port P         Redfish + /wsman port on every address (default 0: a free port each)
  --wsman-port P         WS-Man-only port for WS-Man endpoints (default 0: a free port each)
  --generation G         idrac9 | idrac8 | idrac7 | mix (every 3rd idrac8, every 5th idrac7)
  --seed S               identity seed (default eio)
  --speed X              time scale for jobs and power (default 10)
  --cert-dir DIR         certificate cache (default $EIO_DATA_DIR/simulator-certs or .eio/simulator-certs)
  --json                 print endpoint details as JSON
  --verbose              print power, job and session events`);
  process.exit(0);
}

const GENERATIONS: Generation[] = ['idrac9', 'idrac8', 'idrac7'];
function generationFor(index: number): Generation {
  if (values.generation !== 'mix') return values.generation as Generation;
  if (index % 5 === 4) return 'idrac7';
  if (index % 3 === 2) return 'idrac8';
  return 'idrac9';
}
if (values.generation !== 'mix' && !GENERATIONS.includes(values.generation as Generation)) {
  console.error(`unknown generation ${values.generation}`);
  process.exit(2);
}

const fleet = await SimulatorFleet.start({
  count: Number(values.count),
  baseAddress: values.base,
  ports: { https: Number(values['https-port']), wsman: Number(values['wsman-port']) },
  generation: generationFor,
  seed: values.seed,
  speed: Number(values.speed),
  certDir: resolve(values['cert-dir'] ?? join(process.env.EIO_DATA_DIR ?? '.eio', 'simulator-certs')),
  onEvent: values.verbose ? (index, event) => console.log(`[${index}] ${JSON.stringify(event)}`) : undefined,
});

const infos = fleet.info();
if (values.json) {
  console.log(
    JSON.stringify(
      infos.map(({ certificate, wrongCertificate, ...rest }) => ({
        ...rest,
        thumbprint: certificate.thumbprint,
        certificatePem: certificate.pem,
        wrongThumbprint: wrongCertificate.thumbprint,
      })),
      null,
      2,
    ),
  );
} else {
  for (const i of infos) {
    const wsman = i.ports.wsman ? ` wsman:${i.ports.wsman}` : '';
    console.log(
      `${i.name}  ${i.generation.padEnd(6)}  ${i.address}  https:${i.ports.https}${wsman}  ` +
        `redfish:${i.redfish}  tls<=${i.maxTlsVersion}  ` +
        `tag:${i.serviceTag}  user:${i.credentials.username}/${i.credentials.password}`,
    );
    console.log(`    sha256 ${i.certificate.thumbprint}`);
  }
  console.log(
    `\n${infos.length} endpoint(s) in ${fleet.cidr()}. Try:\n` +
      `  curl -k -u root:calvin ${infos[0]?.urls.redfish ?? infos[0]?.urls.wsman ?? ''}\nCtrl-C to stop.`,
  );
}

const shutdown = () => {
  void fleet.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// The simulators' timers are unref'd; keep the process up until a signal arrives.
setInterval(() => undefined, 1 << 30);
