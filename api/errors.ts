/**
 * The single place where errors become HTTP answers: `{ error: { code, message, details } }`.
 * DomainErrors map by kind; Fastify's own validation/parse errors become 400; anything else is a 500
 * that never leaks internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../db/availability';
import { DomainError, type DomainErrorKind } from '../domain/errors';
import { isRedisUnavailable } from '../lib/queues';
import { isTemporalUnavailable } from '../lib/temporal';

const STATUS: Record<DomainErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export const errorBody = (code: string, message: string, details: Record<string, unknown> = {}): ErrorBody => ({
  error: { code, message, details },
});

/** Seconds a client should wait before retrying a 503 (or an Idempotency-Key still in progress). */
export const RETRY_AFTER_SECONDS = 2;

/** The dependency an unexpected error says is down, if any: its request is a 503, not a 500. */
function unavailableDependency(err: unknown): 'database' | 'temporal' | 'redis' | null {
  if (isDatabaseUnavailable(err)) return 'database';
  if (isTemporalUnavailable(err)) return 'temporal';
  if (isRedisUnavailable(err)) return 'redis';
  return null;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | DomainError | Error, request, reply) => {
    if (err instanceof DomainError) {
      if (err.kind === 'unavailable' || err.code === 'idempotency_in_progress') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.status(STATUS[err.kind]).send(errorBody(err.code, err.message, err.details));
    }
    const dependency = unavailableDependency(err);
    if (dependency) {
      request.log.warn({ err, dependency }, `${dependency} unavailable`);
      return reply
        .status(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(errorBody(`${dependency}_unavailable`, `the ${dependency} is unavailable; retry later`, {}));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send(
        errorBody('validation_failed', `invalid request ${fe.validationContext ?? ''}: ${fe.message}`.replace(/\s+/g, ' '), {
          issues: fe.validation.map((v) => ({ path: v.instancePath || '/', message: v.message, params: v.params })),
        }),
      );
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Malformed JSON, wrong content type, body too large, …
      const code = fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'malformed_json' : (fe.code ?? 'bad_request').toLowerCase();
      return reply.status(fe.statusCode).send(errorBody(code, fe.message, {}));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'internal error', { requestId: request.id }));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
