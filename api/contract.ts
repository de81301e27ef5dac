/**
 * What the HTTP contract promises beyond each route's own schema, built once for every route:
 * the documented error answers (statuses, the Error schema, the codes) and JSON-only request bodies.
 * Routes add only their own codes (`schema.errors`); the common ones follow from the route's shape.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type {} from '@fastify/swagger';
import { validationError } from '../domain/errors';
import { errorResponse, type ErrorCodes, type ErrorStatus } from './schemas/common';

declare module 'fastify' {
  interface FastifySchema {
    /** The codes this operation answers besides the ones every route of its shape has. */
    errors?: ErrorCodes;
  }
}

/** Codes every /v1 operation of a given shape can answer (see api/auth.ts, api/idempotency.ts, api/errors.ts). */
const AUTHENTICATED: ErrorCodes = { 401: ['unauthorized'], 403: ['plan_required', 'csrf_required'] };
const ANY_ROUTE: ErrorCodes = { 429: ['rate_limited'], 503: ['database_unavailable', 'redis_unavailable', 'temporal_unavailable'] };
const WITH_INPUT: ErrorCodes = { 400: ['validation_failed', 'invalid_text'] };
const WITH_BODY: ErrorCodes = { 400: ['validation_failed', 'invalid_text', 'malformed_json', 'forbidden_property'], 413: ['body_too_large'], 415: ['unsupported_media_type'] };
const WITH_ID: ErrorCodes = { 404: ['not_found'] };
const IDEMPOTENT: ErrorCodes = { 400: ['invalid_idempotency_key'], 409: ['idempotency_in_progress'], 422: ['idempotency_key_reused'] };

const hasProperty = (schema: unknown, name: string) => Boolean((schema as { properties?: Record<string, unknown> } | undefined)?.properties?.[name]);

/** Every error code of a route, by status, from its shape and its own `schema.errors`. */
export function routeErrorCodes(route: Pick<RouteOptions, 'url' | 'schema'>): Map<ErrorStatus, string[]> {
  const { schema = {} } = route;
  const parts: ErrorCodes[] = [ANY_ROUTE];
  if (schema.security?.length !== 0) parts.push(AUTHENTICATED);
  if (schema.querystring || schema.headers || schema.params) parts.push(WITH_INPUT);
  if (schema.body) parts.push(WITH_BODY);
  if (hasProperty(schema.params, 'id')) parts.push(WITH_ID);
  if (hasProperty(schema.headers, 'idempotency-key')) parts.push(IDEMPOTENT);
  if (schema.errors) parts.push(schema.errors);
  const byStatus = new Map<ErrorStatus, string[]>();
  for (const part of parts) {
    for (const [status, codes] of Object.entries(part) as [`${ErrorStatus}`, string[]][]) {
      const list = byStatus.get(Number(status) as ErrorStatus) ?? [];
      for (const code of codes) if (!list.includes(code)) list.push(code);
      byStatus.set(Number(status) as ErrorStatus, list);
    }
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** onRoute: documents (and serializes) every error answer of a documented route. */
function documentErrors(route: RouteOptions): void {
  const { schema } = route;
  if (!schema || schema.hide || route.method === 'HEAD') return;
  const codes = routeErrorCodes(route);
  const response = { ...(schema.response as Record<string, unknown> | undefined) };
  for (const [status, list] of codes) response[status] ??= errorResponse(status, list);
  const extension = Object.fromEntries([...codes].map(([status, list]) => [status, list]));
  route.schema = { ...schema, response, 'x-error-codes': extension } as typeof schema;
}

/** Deepest nesting of arrays and objects a body may have (the deepest schema needs 4). */
export const MAX_JSON_DEPTH = 32;

/**
 * What a parsed body may not hold though it is valid JSON: nesting deeper than MAX_JSON_DEPTH (a
 * 400 malformed_json, never a stack overflow in the checks that walk it) and the property names that
 * would reach an object's prototype once merged (`__proto__`, `constructor.prototype`: 400
 * forbidden_property). Iterative, so a deep body cannot overflow it either.
 */
function checkParsedBody(body: unknown): void {
  const stack: [unknown, string, number][] = [[body, '', 0]];
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw validationError('malformed_json', `the body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`, { maxDepth: MAX_JSON_DEPTH });
    }
    for (const [key, child] of Object.entries(value)) {
      const at = `${path}/${key}`;
      const forbidden = key === '__proto__' || (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype'));
      if (forbidden && !Array.isArray(value)) {
        const name = key === '__proto__' ? '__proto__' : 'constructor.prototype';
        throw validationError('forbidden_property', `body ${at} uses the property name ${name}, which is refused (it could change object prototypes)`, { path: at, property: name });
      }
      stack.push([child, at, depth + 1]);
    }
  }
}

/**
 * Request bodies are JSON in UTF-8 (RFC 8259): any other media type, or another declared charset,
 * is a 415 before the body is read into a string. Scopes that take other bodies (the Stripe
 * webhook's raw bytes) replace these parsers with their own.
 */
function jsonBodiesOnly(app: FastifyInstance): void {
  // Fastify's parser for the syntax (its errors are malformed_json); prototype keys are checked after, by name.
  const parseJson = app.getDefaultJsonParser('ignore', 'ignore');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      return done(Object.assign(new Error(`request bodies must be UTF-8 JSON, not charset ${charset}`), { statusCode: 415, code: 'unsupported_media_type' }), undefined);
    }
    // Compressed bodies are not decoded here: read as they are, a gzip body would be taken for plain JSON or garbage.
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && !/^\s*identity\s*$/i.test(encoding)) {
      return done(Object.assign(new Error(`request bodies must not be compressed (Content-Encoding: ${encoding})`), { statusCode: 415, code: 'unsupported_media_type' }), undefined);
    }
    parseJson(request, body as string, (err, parsed) => {
      if (err) return done(err, undefined);
      try {
        checkParsedBody(parsed);
      } catch (refused) {
        return done(refused as Error, undefined);
      }
      done(null, parsed);
    });
  });
}

/** A body schema that admits null may also be left out: the document says so (the swagger default is "required"). */
type Operations = Record<string, Record<string, { requestBody?: { required?: boolean; content?: Record<string, { schema?: { nullable?: boolean } }> } }>>;
export function optionalNullableBodies<T extends object>(document: T): T {
  for (const operations of Object.values((document as { paths?: Operations }).paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const body = operation.requestBody;
      if (body && Object.values(body.content ?? {}).every((media) => media.schema?.nullable === true)) body.required = false;
    }
  }
  return document;
}

/** Registers the contract's hooks: call before any route is registered. */
export function registerContract(app: FastifyInstance): void {
  app.addHook('onRoute', documentErrors);
  jsonBodiesOnly(app);
}
