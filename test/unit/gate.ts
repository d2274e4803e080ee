/** A gate concurrent invocations wait at, opened once `count` of them are inside: their steps interleave for sure. */
export function gate(count: number) {
  let inside = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    async pass(): Promise<void> {
      inside++;
      await opened;
    },
    async openWhenAllInside(): Promise<void> {
      while (inside < count) await new Promise((resolve) => setImmediate(resolve));
      open();
    },
  };
}
