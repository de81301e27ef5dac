/**
 * `Idempotency-Key` on POSTs that create something: the first request's answer is stored and a retry
 * with the same key gets it back unchanged; the same key with a different body is rejected. Answers
 * of 5xx are not stored, so a retry after a failure runs again (the services make that safe).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimIdempotencyKey, releaseIdempotencyKey, storeAnswer, storedAnswer, type KeyClaim } from '../db/repositories/idempotency-keys';
import { DomainError } from '../domain/errors';
import { UPDATE_TIMEOUT_MS } from '../services/invoice-workflow';

/**
 * A key stays locked at most as long as its request may run (the workflow Update's own deadline
 * plus a margin); after that, a retry takes it over — the request died or lost its answer.
 */
const STALE_LOCK_MS = UPDATE_TIMEOUT_MS + 5_000;
/** How long, and how often, an answer that could not be stored (database down) is stored again. */
const SETTLE_FOR_MS = 5 * 60_000;
const SETTLE_RETRY_MS = { first: 250, max: 2_000 };
const MAX_KEY_LENGTH = 255;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
    idempotencyClaim?: KeyClaim;
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
  let stored: Awaited<ReturnType<typeof storedAnswer>> = null;
  // Twice: a key released between the two statements (its first attempt failed) is claimed again.
  for (let attempt = 0; attempt < 2 && !stored; attempt++) {
    const claim = await claimIdempotencyKey(em, request.tenant.id, key, hash, STALE_LOCK_MS);
    if (claim) {
      request.idempotencyKey = key;
      request.idempotencyClaim = claim;
      return;
    }
    stored = await storedAnswer(em, request.tenant.id, key);
  }
  if (!stored) throw new DomainError('conflict', 'idempotency_in_progress', 'a request with this Idempotency-Key is still in progress; retry shortly', { idempotencyKey: key });
  if (stored.requestHash !== hash) {
    throw new DomainError('unprocessable', 'idempotency_key_reused', 'this Idempotency-Key was used with a different request', { idempotencyKey: key });
  }
  if (stored.statusCode === null) {
    throw new DomainError('conflict', 'idempotency_in_progress', 'a request with this Idempotency-Key is still in progress; retry shortly', { idempotencyKey: key });
  }
  reply.header('idempotent-replayed', 'true');
  await reply.status(stored.statusCode).send(stored.responseBody);
}

/**
 * onSend: stores the answer for the key's retries, or frees the key after a server-side failure.
 * Never fails the answer itself: when the database cannot take it now, it is settled in the
 * background as soon as the database answers again, so a retry then gets the original answer.
 */
export async function rememberAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const { idempotencyKey: key, idempotencyClaim: claim } = request;
  if (!key || !claim || reply.getHeader('idempotent-replayed')) return payload;
  const { em } = request.deps;
  const tenantId = request.tenant.id;
  const status = reply.statusCode;
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
  const settle = () => (status >= 500 ? releaseIdempotencyKey(em, tenantId, key, claim) : storeAnswer(em, tenantId, key, claim, status, body));
  await settle().catch((err) => {
    request.log.warn({ err, idempotencyKey: key }, 'idempotency answer not stored yet; retrying in the background');
    settleInBackground(settle, (final) => request.log.error({ err: final, idempotencyKey: key }, 'idempotency answer could not be stored'));
  });
  return payload;
}

function settleInBackground(settle: () => Promise<void>, giveUp: (err: unknown) => void): void {
  const until = Date.now() + SETTLE_FOR_MS;
  const attempt = (delay: number) =>
    setTimeout(() => {
      settle().catch((err) => (Date.now() < until ? attempt(Math.min(delay * 2, SETTLE_RETRY_MS.max)) : giveUp(err)));
    }, delay).unref();
  attempt(SETTLE_RETRY_MS.first);
}
