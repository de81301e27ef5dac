/**
 * `Idempotency-Key` on POSTs that create something: the first request's answer is stored and a retry
 * with the same key gets it back unchanged; the same key with a different body is rejected. Answers
 * of 5xx are not stored, so a retry after a failure runs again (the services make that safe).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimIdempotencyKey, releaseIdempotencyKey, storeAnswer, storedAnswer } from '../db/repositories/idempotency-keys';
import { DomainError } from '../domain/errors';

/** A request that died mid-flight leaves its key locked this long before a retry may take it over. */
const STALE_LOCK_MS = 60_000;
const MAX_KEY_LENGTH = 255;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

const requestHash = (request: FastifyRequest) =>
  createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url}\n${JSON.stringify(request.params)}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');

/** preHandler: claims the key, or answers with the stored response of the first request. */
export async function claimOrReplay(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // Only POSTs create things; a GET with the header must never be answered from the store.
  if (request.method !== 'POST') return;
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') return;
  if (key.length > MAX_KEY_LENGTH) throw new DomainError('validation', 'invalid_idempotency_key', `Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters`);
  const { em } = request.deps;
  const hash = requestHash(request);
  if (await claimIdempotencyKey(em, request.tenant.id, key, hash, STALE_LOCK_MS)) {
    request.idempotencyKey = key;
    return;
  }
  const stored = await storedAnswer(em, request.tenant.id, key);
  if (!stored) {
    // Deleted between the two statements (its first attempt failed): this request may run.
    request.idempotencyKey = key;
    return;
  }
  if (stored.requestHash !== hash) {
    throw new DomainError('unprocessable', 'idempotency_key_reused', 'this Idempotency-Key was used with a different request', { idempotencyKey: key });
  }
  if (stored.statusCode === null) {
    throw new DomainError('conflict', 'idempotency_in_progress', 'a request with this Idempotency-Key is still in progress; retry shortly', { idempotencyKey: key });
  }
  reply.header('idempotent-replayed', 'true');
  await reply.status(stored.statusCode).send(stored.responseBody);
}

/** onSend: stores the answer for the key's retries, or frees the key after a server-side failure. */
export async function rememberAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const key = request.idempotencyKey;
  if (!key || reply.getHeader('idempotent-replayed')) return payload;
  const { em } = request.deps;
  if (reply.statusCode >= 500) await releaseIdempotencyKey(em, request.tenant.id, key);
  else await storeAnswer(em, request.tenant.id, key, reply.statusCode, typeof payload === 'string' ? payload : JSON.stringify(payload ?? null));
  return payload;
}
