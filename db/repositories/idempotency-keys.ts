/** idempotency_keys: one row per (tenant, Idempotency-Key), locked while its first request runs. */
import type { EntityManager } from '@mikro-orm/postgresql';

export interface StoredAnswer {
  requestHash: string;
  /** Null while the first request is still running. */
  statusCode: number | null;
  responseBody: unknown;
}

/** The claim of one request on a key: its `created_at` in microseconds, so a late release or store never touches a later claim. */
export type KeyClaim = string;
const CLAIM = `(extract(epoch from created_at) * 1000000)::bigint::text`;

/**
 * Takes the key for this request: a new key, or one whose earlier request died (still unanswered
 * after `staleAfterMs`) with the same request hash. Null when another request holds or answered it.
 */
export async function claimIdempotencyKey(em: EntityManager, tenantId: string, key: string, requestHash: string, staleAfterMs: number): Promise<KeyClaim | null> {
  const [claimed] = await em.execute<{ claim: string }[]>(
    `insert into idempotency_keys (tenant_id, key, request_hash, created_at) values (?, ?, ?, clock_timestamp())
     on conflict (tenant_id, key) do update set request_hash = excluded.request_hash, created_at = clock_timestamp()
       where idempotency_keys.status_code is null and idempotency_keys.created_at < now() - (? * interval '1 millisecond')
         and idempotency_keys.request_hash = excluded.request_hash
     returning ${CLAIM} as claim`,
    [tenantId, key, requestHash, staleAfterMs],
  );
  return claimed?.claim ?? null;
}

export async function storedAnswer(em: EntityManager, tenantId: string, key: string): Promise<StoredAnswer | null> {
  const [row] = await em.execute<{ request_hash: string; status_code: number | null; response_body: unknown }[]>(
    'select request_hash, status_code, response_body from idempotency_keys where tenant_id = ? and key = ?',
    [tenantId, key],
  );
  return row ? { requestHash: row.request_hash, statusCode: row.status_code, responseBody: row.response_body } : null;
}

/** The request failed on the server's side: the key is free again for the client's retry. */
export async function releaseIdempotencyKey(em: EntityManager, tenantId: string, key: string, claim: KeyClaim): Promise<void> {
  await em.execute(`delete from idempotency_keys where tenant_id = ? and key = ? and status_code is null and ${CLAIM} = ?`, [tenantId, key, claim]);
}

/** The answer of the claim's request; a late store (retried after an outage) never replaces a later claim's. */
export async function storeAnswer(em: EntityManager, tenantId: string, key: string, claim: KeyClaim, statusCode: number, body: string): Promise<void> {
  await em.execute(`update idempotency_keys set status_code = ?, response_body = ?::jsonb where tenant_id = ? and key = ? and status_code is null and ${CLAIM} = ?`, [
    statusCode,
    body,
    tenantId,
    key,
    claim,
  ]);
}
