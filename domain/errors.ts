/**
 * The one typed error of the domain. Every rule violation is one of these; the API maps `kind`
 * to an HTTP status in a single error handler, the workflow maps it to an Update rejection.
 */
export type DomainErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'unavailable';

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;

  /** `options.cause`: the underlying failure, for the logs (never part of the answer). */
  constructor(kind: DomainErrorKind, code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const validationError = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError('validation', code, message, details);
export const notFound = (what: string, id: string) =>
  new DomainError('not_found', 'not_found', `${what} ${id} not found`, { resource: what, id });
export const conflict = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError('conflict', code, message, details);
