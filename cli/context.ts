/** What every command needs: the client for the chosen profile and the output mode, from the global options. */
import type { Command } from 'commander';
import { type Client, clientFor } from './client';
import { type Output, output } from './output';
import { resolveProfile } from './profile';

export type Ctx = { api: Client; out: Output };

export function ctx(cmd: Command): Ctx {
  const o = cmd.optsWithGlobals() as { profile?: string; json?: boolean };
  return { api: clientFor(resolveProfile(o.profile)), out: output(Boolean(o.json)) };
}

/** Wraps an action so it gets its context, and a failure is one line on stderr with exit code 1. */
export const action =
  <A extends unknown[]>(fn: (c: Ctx, ...args: A) => Promise<void>) =>
  async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    await fn(ctx(cmd), ...args);
  };
