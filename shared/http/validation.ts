import type { z } from 'zod';
import { type ErrorDetail, ValidationError } from '../domain/errors';

export type InputPart = 'body' | 'query' | 'path' | 'headers';

/** `body.management_networks[1]` style paths, so a 400 names exactly the offending field. */
const fieldPath = (part: InputPart, path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : `${acc}.${String(seg)}`), part);

/** Parses one part of a request with zod, turning every issue into a field-path detail of a 400. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const details: ErrorDetail[] = result.error.issues.map((issue) => ({
    path: fieldPath(part, issue.path),
    message: issue.message,
  }));
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new ValidationError(`Invalid ${part === 'path' ? 'path parameter' : part === 'headers' ? 'header' : part}: ${summary}`, details);
}
