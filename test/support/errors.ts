import { DomainError } from '../../domain/errors';

/** Runs `fn` and returns the DomainError it throws (any other outcome fails the test). */
export function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}
