#!/usr/bin/env node
// The `eio` command (package.json bin): runs the TypeScript CLI through tsx, a dependency already.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
