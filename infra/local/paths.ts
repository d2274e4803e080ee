import { resolve } from 'node:path';

/** Where the local stack keeps its data: `.eio/` in the working directory unless EIO_DATA_DIR says otherwise. */
export const dataDirFromEnv = (): string => resolve(process.env.EIO_DATA_DIR ?? '.eio');
