/** `npm run token -- --role operator` prints a token for the local stack as the last line of its output. */
import { Command, Option } from 'commander';
import { config } from '../../shared/config';
import { ROLES } from '../../shared/domain/roles';
import { issueToken } from './jwt';
import { dataDirFromEnv } from './paths';
import { loadOrCreateSigningKey } from './signing-key';

const program = new Command('token')
  .description('Print a bearer token for the local EIO stack')
  .addOption(new Option('--role <role>', 'EIO role').choices(ROLES).default('viewer'))
  .option('--subject <name>', 'who the token is for (shown in audit trails)')
  .option('--ttl <hours>', 'hours until it expires (at most AUTH_MAX_TOKEN_HOURS, 24 by default)', '12')
  .parse();

const opts = program.opts<{ role: string; subject?: string; ttl: string }>();
const hours = Number(opts.ttl);
const c = config();
if (!Number.isFinite(hours) || hours <= 0) program.error('--ttl must be a positive number of hours');
if (hours > c.auth.maxTokenHours) program.error(`--ttl must be at most ${c.auth.maxTokenHours} hours (AUTH_MAX_TOKEN_HOURS)`);
if (opts.subject !== undefined && !opts.subject.trim()) program.error('--subject must name someone');

const dataDir = dataDirFromEnv();
const key = await loadOrCreateSigningKey(dataDir);
const token = await issueToken(
  key,
  { issuer: c.auth.issuer, audience: c.auth.audience, roleClaim: c.auth.roleClaim },
  { role: opts.role, subject: opts.subject ?? `local-${opts.role}`, ttlSeconds: Math.round(hours * 3600) },
);
process.stderr.write(`# ${opts.role} token for the local stack (data in ${dataDir}), valid ${hours} h:\n`);
process.stdout.write(`${token}\n`);
