/** Time formats as the capture shows them. */

/** `2024-06-11T00:14:47-05:00` style (the simulator reports UTC). */
export function withOffset(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Dell job times: `2024-03-26T22:10:57`, no zone. */
export function dellJobTime(date: Date | undefined): string | null {
  return date ? date.toISOString().slice(0, 19) : null;
}
