/**
 * Typed domain errors. Use cases throw these; the HTTP layer maps them to status codes in one place
 * (shared/http/errors.ts). Their messages are written for operators: they reach the response body for 4xx.
 */
export type ErrorDetail = { path: string; message: string };

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'validation_error';
  constructor(message: string, details?: ErrorDetail[]) {
    super(message, details);
  }
}
export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
}
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(kind: string, id: string) {
    super(`${kind} '${id}' does not exist`, { kind, id });
  }
}
export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
}
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}
/** The system refuses the action because of its own state (kill switch, read-only mode). */
export class LockedError extends AppError {
  readonly status = 423;
  readonly code = 'locked';
}
/** Read-only emergency mode is on: writes are refused, with the reason an admin gave, until it is turned off. */
export class ReadOnlyError extends AppError {
  readonly status = 503;
  readonly code = 'read_only';
}
/** A dependency (store, queue, upstream) is unavailable; the message is safe to show. */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'service_unavailable';
}
