/**
 * Who a request's credential belongs to: an API key or a session cookie, read with the tenant in one
 * indexed statement and no entities. Every /v1 request runs one of these, so they skip the ORM's
 * query building and hydration (≈ 1.8 ms of the API's CPU per request against 0.25 ms here).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TenantPlan } from '../../domain/tenant';

/** The tenant's fields a caller carries. */
export interface CallerTenant {
  id: string;
  name: string;
  plan: TenantPlan;
  timeZone: string;
  defaultCurrency: string;
}

const TENANT_COLUMNS = `t.id, t.name, t.plan, t.time_zone as "timeZone", t.default_currency as "defaultCurrency"`;

export interface LiveApiKey {
  tenant: CallerTenant;
  keyId: string;
  keyPrefix: string;
}

/** The tenant of an unrevoked API key, with the key; null for an unknown or revoked key. */
export async function liveApiKeyOf(em: EntityManager, keyHash: string): Promise<LiveApiKey | null> {
  const [row] = await em.execute<(CallerTenant & { keyId: string; keyPrefix: string })[]>(
    `select ${TENANT_COLUMNS}, k.id as "keyId", k.prefix as "keyPrefix"
     from api_keys k join tenants t on t.id = k.tenant_id
     where k.key_hash = ? and k.revoked_at is null`,
    [keyHash],
  );
  if (!row) return null;
  const { keyId, keyPrefix, ...tenant } = row;
  return { tenant, keyId, keyPrefix };
}

/** A session that is live at `now`: not expired, not ended, and the key it was opened with (if any) not revoked. */
export interface LiveSession {
  tenant: CallerTenant;
  expiresAt: Date;
  /** The prefix of the key it was opened with; null for a sign-in link. */
  apiKeyPrefix: string | null;
}

export async function liveSessionOf(em: EntityManager, tokenHash: string, now: Date): Promise<LiveSession | null> {
  const [row] = await em.execute<(CallerTenant & { expiresAt: Date; apiKeyPrefix: string | null })[]>(
    `select ${TENANT_COLUMNS}, s.expires_at as "expiresAt", k.prefix as "apiKeyPrefix"
     from sessions s join tenants t on t.id = s.tenant_id left join api_keys k on k.id = s.api_key_id
     where s.token_hash = ? and s.ended_at is null and s.expires_at > ? and k.revoked_at is null`,
    [tokenHash, now],
  );
  if (!row) return null;
  const { expiresAt, apiKeyPrefix, ...tenant } = row;
  return { tenant, expiresAt: new Date(expiresAt), apiKeyPrefix };
}
