/**
 * The single place where errors become HTTP answers: `{ error: { code, message, details } }`.
 * DomainErrors map by kind; Fastify's own validation/parse errors become 400; anything else is a 500
 * that never leaks internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/failures';
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

/** Fastify's own client errors under the names the OpenAPI document lists. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
};

/** Longest path parameter the router hands to a route (longer ones are a 414 uri_too_long before any route runs). */
export const MAX_PARAM_LENGTH = 2048;

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or hook runs (a path that is
 * not valid percent-encoding, a parameter past MAX_PARAM_LENGTH), answered in the Error shape.
 */
export function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_BAD_URL') {
    void reply.status(400).send(errorBody('bad_url', 'the request path is not a valid URL: it has a malformed percent-encoding', {}));
    return;
  }
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send(errorBody('uri_too_long', `a segment of the request path is longer than ${MAX_PARAM_LENGTH} characters`, { maxLength: MAX_PARAM_LENGTH }));
    return;
  }
  request.log.error({ err }, 'router error');
  void reply.status(500).send(errorBody('internal_error', 'internal error', { requestId: request.id }));
}

/** Route paths (`/v1/invoices/:id`) as patterns of concrete paths, with the methods each has. */
function routeMethods(app: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', ({ url, method }) => {
    const entry = routes.get(url) ?? { pattern: new RegExp(`^${url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')}$`), methods: new Set<string>() };
    for (const m of [method].flat()) entry.methods.add(m);
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
    routes.set(url, entry);
  });
  return (path) => [...new Set([...routes.values()].filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]))].sort();
}

export function registerErrorHandling(app: FastifyInstance): void {
  const methodsOf = routeMethods(app);
  // A path that exists with other methods is a 405 naming them, answered before any body is read.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0];
    const allowed = methodsOf(path);
    if (allowed.length === 0) return;
    return reply
      .status(405)
      .header('allow', allowed.join(', '))
      .send(errorBody('method_not_allowed', `${request.method} is not supported on ${path}; use ${allowed.join(', ')}`, { allow: allowed }));
  });
  app.setErrorHandler((err: FastifyError | DomainError | Error, request, reply) => {
    if (err instanceof DomainError) {
      // Not the client's fault: the log says why (the cause stays out of the answer).
      if (STATUS[err.kind] >= 500) request.log.warn({ code: err.code, details: err.details, err: err.cause }, `answered ${STATUS[err.kind]} ${err.code}: ${err.message}`);
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
      // Malformed JSON, wrong content type, body too large, rate limited, …
      const code = err instanceof SyntaxError ? 'malformed_json' : (FASTIFY_CODES[fe.code] ?? (fe.code ?? 'bad_request').toLowerCase());
      return reply.status(fe.statusCode).send(errorBody(code, fe.message, {}));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'internal error', { requestId: request.id }));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
