/** Stored answers of requests sent with an Idempotency-Key (api/idempotency.ts). */
import { EntitySchema } from '@mikro-orm/core';
import { createdAt } from './columns';
import { ownedByTenant, type Tenant } from './tenant';

export class IdempotencyRecord {
  tenant!: Tenant;
  key!: string;
  requestHash!: string;
  statusCode?: number | null;
  responseBody?: unknown;
  createdAt!: Date;
}
export const IdempotencyRecordSchema = new EntitySchema<IdempotencyRecord>({
  class: IdempotencyRecord,
  tableName: 'idempotency_keys',
  properties: {
    tenant: ownedByTenant({ primary: true }),
    key: { type: 'string', length: 255, primary: true },
    requestHash: { type: 'string', length: 64 },
    statusCode: { type: 'integer', nullable: true },
    responseBody: { type: 'json', nullable: true },
    createdAt: createdAt(),
  },
});

export const idempotencyEntities = [IdempotencyRecordSchema];
