/**
 * `Idempotency-Key` on POSTs that create something: the first request's answer is stored and a retry
 * with the same key gets it back unchanged; the same key with a different body is rejected. Answers
 * of 5xx are not stored, so a retry after a failure runs again (the services make that safe).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DomainError } from '../domain/errors';

/** A request that died mid-flight leaves its key locked this long before a retry may take it over. */
const STALE_LOCK_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

const requestHash = (request: FastifyRequest) =>
  createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url}\n${JSON.stringify(request.params)}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');

export function idempotency(orm: MikroORM): { preHandler: preHandlerAsyncHookHandler; onSend: (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown> } {
  return {
    async preHandler(request, reply) {
      // Only POSTs create things; a GET with the header must never be answered from the store.
      if (request.method !== 'POST') return;
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || key === '') return;
      if (key.length > 255) throw new DomainError('validation', 'invalid_idempotency_key', 'Idempotency-Key must be at most 255 characters');
      const hash = requestHash(request);
      const conn = orm.em.getConnection();
      const inserted = await conn.execute(
        `insert into idempotency_keys (tenant_id, key, request_hash, created_at) values (?, ?, ?, now())
         on conflict (tenant_id, key) do update set request_hash = excluded.request_hash, created_at = now()
           where idempotency_keys.status_code is null and idempotency_keys.created_at < now() - (? * interval '1 millisecond')
             and idempotency_keys.request_hash = excluded.request_hash
         returning key`,
        [request.tenant.id, key, hash, STALE_LOCK_MS],
      );
      if (inserted.length > 0) {
        request.idempotencyKey = key;
        return;
      }
      const [row] = await conn.execute<{ request_hash: string; status_code: number | null; response_body: unknown }[]>(
        'select request_hash, status_code, response_body from idempotency_keys where tenant_id = ? and key = ?',
        [request.tenant.id, key],
      );
      if (!row) {
        // Deleted between the two statements (its first attempt failed): this request may run.
        request.idempotencyKey = key;
        return;
      }
      if (row.request_hash !== hash) {
        throw new DomainError('unprocessable', 'idempotency_key_reused', 'this Idempotency-Key was used with a different request', { idempotencyKey: key });
      }
      if (row.status_code === null) {
        throw new DomainError('conflict', 'idempotency_in_progress', 'a request with this Idempotency-Key is still in progress; retry shortly', { idempotencyKey: key });
      }
      reply.header('idempotent-replayed', 'true');
      await reply.status(row.status_code).send(row.response_body);
    },

    async onSend(request, reply, payload) {
      const key = request.idempotencyKey;
      if (!key || reply.getHeader('idempotent-replayed')) return payload;
      const conn = orm.em.getConnection();
      if (reply.statusCode >= 500) {
        await conn.execute('delete from idempotency_keys where tenant_id = ? and key = ? and status_code is null', [request.tenant.id, key]);
      } else {
        await conn.execute('update idempotency_keys set status_code = ?, response_body = ?::jsonb where tenant_id = ? and key = ?', [
          reply.statusCode,
          typeof payload === 'string' ? payload : JSON.stringify(payload ?? null),
          request.tenant.id,
          key,
        ]);
      }
      return payload;
    },
  };
}
