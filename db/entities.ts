/**
 * Storage model (MikroORM entity schemas; no decorators, so any transpiler works).
 * Every row carries its tenant and every query filters on it. Money columns are bigint minor
 * units mapped to JS numbers (amounts are capped well inside Number.MAX_SAFE_INTEGER).
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { TenantPlan } from '../domain/tenant';
import type { InvoiceStatus, LineItem } from '../domain/invoice';
import type { PaymentMethod, PaymentSource } from '../domain/payment';

const money = () => ({ type: new BigIntType('number') });
const timestamps = {
  createdAt: { type: 'datetime', onCreate: () => new Date() },
} as const;

export class Tenant {
  id!: string;
  name!: string;
  plan!: TenantPlan;
  timeZone!: string;
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
    invoiceSequence: { type: 'integer', default: 0 },
    ...timestamps,
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

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
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    prefix: { type: 'string', length: 16 },
    keyHash: { type: 'string', length: 64, unique: true },
    ...timestamps,
    revokedAt: { type: 'datetime', nullable: true },
  },
});

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
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    name: { type: 'string' },
    email: { type: 'string', nullable: true },
    company: { type: 'string', nullable: true },
    ...timestamps,
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
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
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    contact: { kind: 'm:1', entity: () => Contact },
    name: { type: 'string' },
    amount: money(),
    currency: { type: 'string', length: 3 },
    ...timestamps,
  },
});

export class Invoice {
  id!: string;
  tenant!: Tenant;
  number!: string;
  contact!: Contact;
  deal?: Deal | null;
  currency!: string;
  issueDate!: string;
  dueDate!: string;
  lineItems!: LineItem[];
  total!: number;
  paid!: number;
  due!: number;
  status!: InvoiceStatus;
  /** Monotonic version of the workflow state last persisted; older writes are ignored. */
  stateVersion!: number;
  createdAt!: Date;
  updatedAt!: Date;
}
export const InvoiceSchema = new EntitySchema<Invoice>({
  class: Invoice,
  tableName: 'invoices',
  uniques: [{ properties: ['tenant', 'number'] }],
  indexes: [{ properties: ['tenant', 'status'] }, { properties: ['tenant', 'contact'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    number: { type: 'string', length: 64 },
    contact: { kind: 'm:1', entity: () => Contact },
    deal: { kind: 'm:1', entity: () => Deal, nullable: true },
    currency: { type: 'string', length: 3 },
    issueDate: { type: 'date' },
    dueDate: { type: 'date' },
    lineItems: { type: 'json' },
    total: money(),
    paid: money(),
    due: money(),
    status: { type: 'string', length: 16 },
    stateVersion: { type: 'integer', default: 0 },
    ...timestamps,
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export class Payment {
  id!: string;
  tenant!: Tenant;
  contact!: Contact;
  invoice?: Invoice | null;
  amount!: number;
  currency!: string;
  date!: string;
  method!: PaymentMethod;
  reference?: string | null;
  source!: PaymentSource;
  createdAt!: Date;
}
export const PaymentSchema = new EntitySchema<Payment>({
  class: Payment,
  tableName: 'payments',
  indexes: [{ properties: ['tenant', 'invoice'] }, { properties: ['tenant', 'contact'] }, { properties: ['tenant', 'date'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    contact: { kind: 'm:1', entity: () => Contact },
    invoice: { kind: 'm:1', entity: () => Invoice, nullable: true },
    amount: money(),
    currency: { type: 'string', length: 3 },
    date: { type: 'date' },
    method: { type: 'string', length: 20 },
    reference: { type: 'string', nullable: true },
    source: { type: 'string', length: 10 },
    ...timestamps,
  },
});

export class PlannedPayment {
  id!: string;
  tenant!: Tenant;
  invoice!: Invoice;
  seq!: number;
  amount!: number;
  date!: string;
  method?: PaymentMethod | null;
}
export const PlannedPaymentSchema = new EntitySchema<PlannedPayment>({
  class: PlannedPayment,
  tableName: 'planned_payments',
  indexes: [{ properties: ['tenant', 'date'] }],
  uniques: [{ properties: ['invoice', 'seq'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    invoice: { kind: 'm:1', entity: () => Invoice, deleteRule: 'cascade' },
    seq: { type: 'integer' },
    amount: money(),
    date: { type: 'date' },
    method: { type: 'string', length: 20, nullable: true },
  },
});

export const INVOICE_EVENT_TYPES = [
  'created',
  'payment_applied',
  'installment_due',
  'became_overdue',
  'paid',
  'voided',
  'reopened',
  'payment_reversed',
  'reminder_scheduled',
  'reminder_sent',
  'reminder_failed',
  'reminder_skipped',
] as const;
export type InvoiceEventType = (typeof INVOICE_EVENT_TYPES)[number];

export class InvoiceEvent {
  id!: string;
  tenant!: Tenant;
  invoice!: Invoice;
  type!: string;
  /** Makes writes idempotent: a retried activity re-inserts the same key and is ignored. */
  dedupeKey!: string;
  data!: Record<string, unknown>;
  occurredAt!: Date;
}
export const InvoiceEventSchema = new EntitySchema<InvoiceEvent>({
  class: InvoiceEvent,
  tableName: 'invoice_events',
  uniques: [{ properties: ['invoice', 'dedupeKey'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    invoice: { kind: 'm:1', entity: () => Invoice, deleteRule: 'cascade' },
    type: { type: 'string', length: 32 },
    dedupeKey: { type: 'string' },
    data: { type: 'json' },
    occurredAt: { type: 'datetime' },
  },
});

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
    tenant: { kind: 'm:1', entity: () => Tenant, primary: true, deleteRule: 'cascade' },
    key: { type: 'string', length: 255, primary: true },
    requestHash: { type: 'string', length: 64 },
    statusCode: { type: 'integer', nullable: true },
    responseBody: { type: 'json', nullable: true },
    ...timestamps,
  },
});

export const coreEntities = [
  TenantSchema,
  ApiKeySchema,
  ContactSchema,
  DealSchema,
  InvoiceSchema,
  PaymentSchema,
  PlannedPaymentSchema,
  InvoiceEventSchema,
  IdempotencyRecordSchema,
];
