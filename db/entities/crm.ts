/** The CRM's records an invoice points at: contacts and their deals. */
import { EntitySchema } from '@mikro-orm/core';
import { createdAt, money, updatedAt } from './columns';
import { ownedByTenant, type Tenant } from './tenant';

export class Contact {
  id!: string;
  tenant!: Tenant;
  name!: string;
  email?: string | null;
  company?: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}
export const ContactSchema = new EntitySchema<Contact>({
  class: Contact,
  tableName: 'contacts',
  indexes: [{ properties: ['tenant', 'name'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    name: { type: 'string' },
    email: { type: 'string', nullable: true },
    company: { type: 'string', nullable: true },
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

export class Deal {
  id!: string;
  tenant!: Tenant;
  contact!: Contact;
  name!: string;
  amount!: number;
  currency!: string;
  createdAt!: Date;
}
export const DealSchema = new EntitySchema<Deal>({
  class: Deal,
  tableName: 'deals',
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    contact: { kind: 'm:1', entity: () => Contact },
    name: { type: 'string' },
    amount: money(),
    currency: { type: 'string', length: 3 },
    createdAt: createdAt(),
  },
});

export const crmEntities = [ContactSchema, DealSchema];
