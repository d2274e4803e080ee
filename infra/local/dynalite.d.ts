// dynalite ships no types; this covers the one call the local stack makes.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  type DynaliteOptions = {
    /** LevelDB directory; in-memory when absent. */
    path?: string;
    /** How long a new table stays CREATING (default 500). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    ssl?: boolean;
    verbose?: boolean;
    debug?: boolean;
  };

  /** An http.Server whose close() also closes (and unlocks) the LevelDB store. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
