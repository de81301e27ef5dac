/** Tenants and API keys. Keys are shown once; only their SHA-256 and a short prefix are stored. */
import { createHash, randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { ApiKey, Tenant } from '../db/entities';
import { notFound, validationError } from '../domain/errors';
import { TENANT_PLANS, type TenantPlan } from '../domain/tenant';
import { isTimeZone } from '../domain/dates';
import type { TenantContext } from './context';

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

function assertPlan(plan: string): TenantPlan {
  if (!(TENANT_PLANS as readonly string[]).includes(plan)) {
    throw validationError('invalid_plan', `plan must be one of ${TENANT_PLANS.join(', ')}`, { plan });
  }
  return plan as TenantPlan;
}

export async function createApiKey(orm: MikroORM, tenantId: string): Promise<{ keyId: string; apiKey: string; prefix: string }> {
  const em = orm.em.fork();
  const tenant = await em.findOne(Tenant, { id: tenantId });
  if (!tenant) throw notFound('tenant', tenantId);
  const apiKey = `pc_${randomBytes(24).toString('base64url')}`;
  const key = em.create(ApiKey, { id: uuidv7(), tenant, prefix: apiKey.slice(0, 10), keyHash: hashKey(apiKey), createdAt: new Date() });
  await em.flush();
  return { keyId: key.id, apiKey, prefix: key.prefix };
}

export async function createTenant(
  orm: MikroORM,
  input: { name: string; plan: string; timeZone?: string },
): Promise<{ tenantId: string; apiKey: string }> {
  const plan = assertPlan(input.plan);
  const timeZone = input.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) throw validationError('invalid_time_zone', 'timeZone must be an IANA time zone', { timeZone });
  if (!input.name.trim()) throw validationError('invalid_name', 'name must not be empty');
  const em = orm.em.fork();
  const tenant = em.create(Tenant, { id: uuidv7(), name: input.name.trim(), plan, timeZone, invoiceSequence: 0, createdAt: new Date(), updatedAt: new Date() });
  await em.flush();
  const { apiKey } = await createApiKey(orm, tenant.id);
  return { tenantId: tenant.id, apiKey };
}

export async function setTenantPlan(orm: MikroORM, tenantId: string, plan: string): Promise<{ tenantId: string; plan: TenantPlan }> {
  const valid = assertPlan(plan);
  const updated = await orm.em.fork().nativeUpdate(Tenant, { id: tenantId }, { plan: valid, updatedAt: new Date() });
  if (updated === 0) throw notFound('tenant', tenantId);
  return { tenantId, plan: valid };
}

export async function revokeApiKey(orm: MikroORM, keyIdOrPrefix: string): Promise<{ revoked: number }> {
  const em = orm.em.fork();
  const where = /^[0-9a-f-]{36}$/i.test(keyIdOrPrefix) ? { id: keyIdOrPrefix } : { prefix: keyIdOrPrefix };
  const revoked = await em.nativeUpdate(ApiKey, { ...where, revokedAt: null }, { revokedAt: new Date() });
  if (revoked === 0) throw notFound('api key', keyIdOrPrefix);
  return { revoked };
}

export async function listApiKeys(orm: MikroORM, tenantId: string) {
  const keys = await orm.em.fork().find(ApiKey, { tenant: tenantId }, { orderBy: { createdAt: 'asc' } });
  return keys.map((k) => ({ id: k.id, prefix: k.prefix, createdAt: k.createdAt, revokedAt: k.revokedAt ?? null }));
}

/** The tenant owning a live API key, or null. */
export async function authenticate(orm: MikroORM, apiKey: string): Promise<TenantContext | null> {
  const key = await orm.em.fork().findOne(ApiKey, { keyHash: hashKey(apiKey), revokedAt: null }, { populate: ['tenant'] });
  if (!key) return null;
  return { id: key.tenant.id, plan: key.tenant.plan, timeZone: key.tenant.timeZone };
}
