/**
 * Everything this process writes to stdout and stderr from `start()` until `stop()`: the stack's log lines
 * (its function threads write to this process's streams), for tests that read what was logged.
 */
export function outputCapture() {
  const captured: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    captured.push(String(chunk));
    return true;
  };
  return {
    captured,
    start() {
      process.stdout.write = capture as typeof process.stdout.write;
      process.stderr.write = capture as typeof process.stderr.write;
    },
    stop() {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    },
  };
}
