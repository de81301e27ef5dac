/** Tenants (the sales teams using Payment Center) and their API keys. */
import { EntitySchema, type Opt } from '@mikro-orm/core';
import type { TenantPlan } from '../../domain/tenant';
import { createdAt, updatedAt } from './columns';

export class Tenant {
  id!: string;
  name!: string;
  plan!: TenantPlan;
  timeZone!: string;
  /** ISO 4217; what a payment without an invoice and without a currency is in. */
  defaultCurrency!: string & Opt;
  invoiceSequence!: number;
  createdAt!: Date;
  updatedAt!: Date;
}
export const TenantSchema = new EntitySchema<Tenant>({
  class: Tenant,
  tableName: 'tenants',
  properties: {
    id: { type: 'uuid', primary: true },
    name: { type: 'string' },
    plan: { type: 'string', length: 20 },
    timeZone: { type: 'string', default: 'UTC' },
    defaultCurrency: { type: 'string', length: 3, default: 'USD' },
    invoiceSequence: { type: 'integer', default: 0 },
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

/** Every other row belongs to one tenant and goes when the tenant goes. */
export const ownedByTenant = (extra: { primary?: boolean } = {}) => ({ kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...extra }) as const;

export class ApiKey {
  id!: string;
  tenant!: Tenant;
  prefix!: string;
  keyHash!: string;
  createdAt!: Date;
  revokedAt?: Date | null;
}
export const ApiKeySchema = new EntitySchema<ApiKey>({
  class: ApiKey,
  tableName: 'api_keys',
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    prefix: { type: 'string', length: 16 },
    keyHash: { type: 'string', length: 64, unique: true },
    createdAt: createdAt(),
    revokedAt: { type: 'datetime', nullable: true },
  },
});

export const tenantEntities = [TenantSchema, ApiKeySchema];
