/** Follows something that runs (a job, a sync run, a discovery run): polls, prints a line when it changes, ends with it. */
export async function follow<T>(opts: {
  read: () => Promise<T>;
  done: (t: T) => boolean;
  describe: (t: T) => string;
  progress: (line: string) => void;
  intervalMs?: number;
}): Promise<T> {
  let last = '';
  for (;;) {
    const t = await opts.read();
    const line = opts.describe(t);
    if (line !== last) opts.progress(line);
    last = line;
    if (opts.done(t)) return t;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}
