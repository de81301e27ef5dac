/** Tenants and API keys. Keys are shown once; only their SHA-256 and a short prefix are stored. */
import { v7 as uuidv7 } from 'uuid';
import { ApiKey, Tenant } from '../db';
import { liveApiKeyOf, type CallerTenant, type LiveApiKey } from '../db/repositories/callers';
import { notFound, validationError } from '../domain/errors';
import { assertCurrency } from '../domain/money';
import { TENANT_PLANS, type TenantPlan } from '../domain/tenant';
import { isTimeZone } from '../domain/dates';
import { isUuid } from '../domain/ids';
import { randomToken, tokenHash } from '../lib/tokens';
import type { ServiceDeps, TenantContext } from './context';

function assertPlan(plan: string): TenantPlan {
  if (!(TENANT_PLANS as readonly string[]).includes(plan)) {
    throw validationError('invalid_plan', `plan must be one of ${TENANT_PLANS.join(', ')}`, { plan });
  }
  return plan as TenantPlan;
}

export async function createApiKey(deps: ServiceDeps, tenantId: string): Promise<{ keyId: string; apiKey: string; prefix: string }> {
  const { em } = deps;
  const tenant = await em.findOne(Tenant, { id: tenantId });
  if (!tenant) throw notFound('tenant', tenantId);
  const apiKey = randomToken('pc_', 24);
  const key = em.create(ApiKey, { id: uuidv7(), tenant, prefix: apiKey.slice(0, 10), keyHash: tokenHash(apiKey), createdAt: new Date() });
  await em.flush();
  return { keyId: key.id, apiKey, prefix: key.prefix };
}

export async function createTenant(
  deps: ServiceDeps,
  input: { name: string; plan: string; timeZone?: string; defaultCurrency?: string },
): Promise<{ tenantId: string; apiKey: string }> {
  const plan = assertPlan(input.plan);
  const timeZone = input.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) throw validationError('invalid_time_zone', 'timeZone must be an IANA time zone', { timeZone });
  if (!input.name.trim()) throw validationError('invalid_name', 'name must not be empty');
  const defaultCurrency = assertCurrency(input.defaultCurrency ?? 'USD', 'defaultCurrency');
  const { em } = deps;
  const tenant = em.create(Tenant, { id: uuidv7(), name: input.name.trim(), plan, timeZone, defaultCurrency, invoiceSequence: 0, createdAt: new Date(), updatedAt: new Date() });
  await em.flush();
  const { apiKey } = await createApiKey(deps, tenant.id);
  return { tenantId: tenant.id, apiKey };
}

export async function setTenantPlan(deps: ServiceDeps, tenantId: string, plan: string): Promise<{ tenantId: string; plan: TenantPlan }> {
  const valid = assertPlan(plan);
  const updated = await deps.em.nativeUpdate(Tenant, { id: tenantId }, { plan: valid, updatedAt: new Date() });
  if (updated === 0) throw notFound('tenant', tenantId);
  return { tenantId, plan: valid };
}

export async function revokeApiKey(deps: ServiceDeps, keyIdOrPrefix: string): Promise<{ revoked: number }> {
  const where = isUuid(keyIdOrPrefix) ? { id: keyIdOrPrefix } : { prefix: keyIdOrPrefix };
  const revoked = await deps.em.nativeUpdate(ApiKey, { ...where, revokedAt: null }, { revokedAt: new Date() });
  if (revoked === 0) throw notFound('api key', keyIdOrPrefix);
  return { revoked };
}

export async function listApiKeys(deps: ServiceDeps, tenantId: string): Promise<ApiKey[]> {
  return deps.em.find(ApiKey, { tenant: tenantId }, { orderBy: { createdAt: 'asc' } });
}

/** The live (unrevoked) API key a client presents, with its tenant, or null. */
export const liveApiKey = (deps: ServiceDeps, apiKey: string): Promise<LiveApiKey | null> => liveApiKeyOf(deps.em, tokenHash(apiKey));

/** The tenant owning a live API key, or null. */
export async function authenticate(deps: ServiceDeps, apiKey: string): Promise<TenantContext | null> {
  const key = await liveApiKey(deps, apiKey);
  return key ? { ...tenantContext(key.tenant), actor: `api_key:${key.keyPrefix}` } : null;
}

/** What every service call knows of its tenant. */
export const tenantContext = (t: CallerTenant): TenantContext => ({ id: t.id, name: t.name, plan: t.plan, timeZone: t.timeZone, defaultCurrency: t.defaultCurrency });
