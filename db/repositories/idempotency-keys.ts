/** idempotency_keys: one row per (tenant, Idempotency-Key), locked while its first request runs. */
import type { EntityManager } from '@mikro-orm/postgresql';

export interface StoredAnswer {
  requestHash: string;
  /** Null while the first request is still running. */
  statusCode: number | null;
  responseBody: unknown;
}

/**
 * Takes the key for this request: a new key, or one whose earlier request died (still unanswered
 * after `staleAfterMs`) with the same request hash. False when another request holds or answered it.
 */
export async function claimIdempotencyKey(em: EntityManager, tenantId: string, key: string, requestHash: string, staleAfterMs: number): Promise<boolean> {
  const claimed = await em.execute(
    `insert into idempotency_keys (tenant_id, key, request_hash, created_at) values (?, ?, ?, now())
     on conflict (tenant_id, key) do update set request_hash = excluded.request_hash, created_at = now()
       where idempotency_keys.status_code is null and idempotency_keys.created_at < now() - (? * interval '1 millisecond')
         and idempotency_keys.request_hash = excluded.request_hash
     returning key`,
    [tenantId, key, requestHash, staleAfterMs],
  );
  return claimed.length > 0;
}

export async function storedAnswer(em: EntityManager, tenantId: string, key: string): Promise<StoredAnswer | null> {
  const [row] = await em.execute<{ request_hash: string; status_code: number | null; response_body: unknown }[]>(
    'select request_hash, status_code, response_body from idempotency_keys where tenant_id = ? and key = ?',
    [tenantId, key],
  );
  return row ? { requestHash: row.request_hash, statusCode: row.status_code, responseBody: row.response_body } : null;
}

/** The request failed on the server's side: the key is free again for the client's retry. */
export async function releaseIdempotencyKey(em: EntityManager, tenantId: string, key: string): Promise<void> {
  await em.execute('delete from idempotency_keys where tenant_id = ? and key = ? and status_code is null', [tenantId, key]);
}

export async function storeAnswer(em: EntityManager, tenantId: string, key: string, statusCode: number, body: string): Promise<void> {
  await em.execute('update idempotency_keys set status_code = ?, response_body = ?::jsonb where tenant_id = ? and key = ?', [statusCode, body, tenantId, key]);
}
