/** CIM datetime as iDRACs print it: `20151126211205.000000+000`. */
export function cimDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}.000000+000`;
}
