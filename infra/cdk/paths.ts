import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so synth works from any working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where workflow definitions live; the local stack runs the very same files. */
export const STATE_MACHINES_DIR = resolve(REPO_ROOT, 'statemachines');
