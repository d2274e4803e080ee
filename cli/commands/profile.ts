/** `eio profile`: the URL and the way to a token, kept in the config file (profile.ts). */
import type { Command } from 'commander';
import { table } from '../output';
import { configPath, readConfig, writeConfig } from '../profile';

export function profileCommands(program: Command): void {
  const profile = program.command('profile').description(`connection profiles, kept in ${configPath()} (EIO_CONFIG)`);
  profile
    .command('set <name>')
    .description('create or change a profile and make it the current one')
    .requiredOption('--url <url>', 'EIO base URL, e.g. http://localhost:3000')
    .option('--token-command <cmd>', 'prints a token as its last line, e.g. "npm run -s token -- --role operator"')
    .action((name: string, o: { url: string; tokenCommand?: string }) => {
      const c = readConfig();
      c.profiles[name] = { url: o.url, ...(o.tokenCommand ? { token_command: o.tokenCommand } : {}) };
      c.current = name;
      writeConfig(c);
      process.stdout.write(`profile ${name}: ${o.url} (current)\n`);
    });
  profile
    .command('use <name>')
    .description('make a profile the current one')
    .action((name: string) => {
      const c = readConfig();
      if (!c.profiles[name]) throw new Error(`no profile '${name}'`);
      writeConfig({ ...c, current: name });
      process.stdout.write(`profile ${name} is current\n`);
    });
  profile
    .command('list', { isDefault: true })
    .description('every profile')
    .action(() => {
      const c = readConfig();
      process.stdout.write(
        `${table(Object.entries(c.profiles), [
          ['', ([n]) => (n === c.current ? '*' : '')],
          ['name', ([n]) => n],
          ['url', ([, p]) => p.url],
          ['token command', ([, p]) => p.token_command],
        ])}\n`,
      );
    });
}
