/**
 * Where the CLI sends its calls and how it gets a token: named profiles in a JSON file
 * (`$EIO_CONFIG`, else `~/.config/eio/config.json`), 0600 as it may name how to reach a token. A profile holds
 * the base URL and either a command that prints a token as its last line (`npm run -s token -- --role
 * operator`, an IdP's CLI) or nothing, then `EIO_TOKEN` is used. A token itself is never written to the file.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const Profile = z.object({ url: z.url(), token_command: z.string().min(1).optional() });
const ConfigFile = z.object({ current: z.string().optional(), profiles: z.record(z.string(), Profile).default({}) });
export type Profile = z.infer<typeof Profile>;
export type ConfigFile = z.infer<typeof ConfigFile>;

export const configPath = (): string => process.env.EIO_CONFIG ?? join(homedir(), '.config', 'eio', 'config.json');

export function readConfig(): ConfigFile {
  let text: string;
  try {
    text = readFileSync(configPath(), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw e;
  }
  const parsed = ConfigFile.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`${configPath()}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function writeConfig(c: ConfigFile): void {
  mkdirSync(dirname(configPath()), { recursive: true, mode: 0o700 });
  writeFileSync(configPath(), `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
}

/** The profile to use: `--profile`, else `EIO_PROFILE`, else the file's current one; `EIO_URL` alone works too. */
export function resolveProfile(name?: string): Profile & { name: string } {
  const c = readConfig();
  const chosen = name || process.env.EIO_PROFILE || c.current;
  if (chosen) {
    const p = c.profiles[chosen];
    if (!p) throw new Error(`no profile '${chosen}' in ${configPath()} (eio profile set ${chosen} --url ...)`);
    return { name: chosen, ...p };
  }
  if (process.env.EIO_URL) return { name: '(EIO_URL)', url: process.env.EIO_URL };
  throw new Error(`no profile: run "eio profile set local --url http://localhost:3000 --token-command '...'" or set EIO_URL`);
}

/** `EIO_TOKEN` wins; else the profile's command's last output line. */
export function tokenFor(p: Profile): string | undefined {
  if (process.env.EIO_TOKEN) return process.env.EIO_TOKEN;
  if (!p.token_command) return undefined;
  const out = execSync(p.token_command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n');
  const token = out[out.length - 1]?.trim();
  if (!token) throw new Error(`the token command printed nothing: ${p.token_command}`);
  return token;
}
