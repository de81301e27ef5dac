/**
 * DomainErrors cross the Temporal boundary as ApplicationFailures (type `<kind>:<code>`, details[0]
 * the error's details) so an Update rejected by the workflow becomes the same typed error in the API.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, type DomainErrorKind } from '../domain/errors';

export function toFailure(err: DomainError): ApplicationFailure {
  return ApplicationFailure.create({
    type: `${err.kind}:${err.code}`,
    message: err.message,
    details: [err.details],
    nonRetryable: true,
  });
}

/** The DomainError carried by a failure chain, if any. */
export function fromFailure(err: unknown): DomainError | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure && e.type && e.type.includes(':')) {
      const [kind, code] = e.type.split(':', 2);
      return new DomainError(kind as DomainErrorKind, code, e.message, (e.details?.[0] as Record<string, unknown>) ?? {});
    }
  }
  return undefined;
}
