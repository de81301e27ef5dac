/** Invoices and what hangs off them: the payment plan, payments and the history. */
import { EntitySchema, type Opt } from '@mikro-orm/core';
import type { InvoiceStatus, LineItem } from '../../domain/invoice';
import type { PaymentMethod, PaymentSource } from '../../domain/payment';
import { createdAt, money, updatedAt } from './columns';
import { Contact, Deal } from './crm';
import { ownedByTenant, type Tenant } from './tenant';

/** Rows that go with their invoice. */
export const partOfInvoice = () => ({ kind: 'm:1', entity: () => Invoice, deleteRule: 'cascade' }) as const;

export const INVOICES_UNPAID_SUMMARY_INDEX = 'invoices_unpaid_summary_index';

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
  /** Credit notes lower what is asked for; a write-off closes the rest. Neither is paid money. */
  credited!: Opt<number>;
  writtenOff!: Opt<number>;
  status!: InvoiceStatus;
  /** Monotonic version of the workflow state last persisted; older writes are ignored. */
  stateVersion!: number;
  /** Set when Postgres refused part of a change the workflow made (what and why): an operator looks. */
  attentionReason?: string | null;
  attentionAt?: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}
export const InvoiceSchema = new EntitySchema<Invoice>({
  class: Invoice,
  tableName: 'invoices',
  uniques: [{ properties: ['tenant', 'number'] }],
  indexes: [
    { properties: ['tenant', 'contact'] },
    // The list's orders (services/invoices.ts SORT_KEYS), each ending in the cursor's tie-break on id.
    { properties: ['tenant', 'id'] },
    { properties: ['tenant', 'dueDate', 'id'] },
    { properties: ['tenant', 'total', 'id'] },
    { name: 'invoices_tenant_id_status_id_index', expression: 'create index "invoices_tenant_id_status_id_index" on "invoices" ("tenant_id", "status", "id" desc)' },
    // The summary (db/repositories/invoices.ts): unpaid invoices only, covering what it adds up.
    { name: INVOICES_UNPAID_SUMMARY_INDEX, expression: `create index "${INVOICES_UNPAID_SUMMARY_INDEX}" on "invoices" ("tenant_id", "currency", "due_date") include ("status", "due") where "status" in ('open', 'overdue')` },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
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
    credited: { ...money(), default: 0 },
    writtenOff: { ...money(), default: 0 },
    status: { type: 'string', length: 16 },
    stateVersion: { type: 'integer', default: 0 },
    attentionReason: { type: 'text', nullable: true },
    attentionAt: { type: 'datetime', nullable: true },
    createdAt: createdAt(),
    updatedAt: updatedAt(),
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
  /** Taken back by hand (POST /v1/payments/{id}/void): who, when, why. */
  voidedAt?: Date | null;
  voidReason?: string | null;
  voidedBy?: string | null;
  /** The payment this row is a part of, when one payment was allocated across several invoices. */
  parentId?: string | null;
  /** A parent: its money is in its parts (allocations and the remainder on the contact). */
  allocated!: Opt<boolean>;
  createdAt!: Date;
}
export const PaymentSchema = new EntitySchema<Payment>({
  class: Payment,
  tableName: 'payments',
  indexes: [
    { properties: ['tenant', 'invoice'] },
    { properties: ['tenant', 'contact'] },
    { properties: ['tenant', 'date'] },
    { name: 'payments_parent_id_index', expression: 'create index "payments_parent_id_index" on "payments" ("parent_id") where "parent_id" is not null' },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    contact: { kind: 'm:1', entity: () => Contact },
    invoice: { kind: 'm:1', entity: () => Invoice, nullable: true },
    amount: money(),
    currency: { type: 'string', length: 3 },
    date: { type: 'date' },
    method: { type: 'string', length: 20 },
    reference: { type: 'string', nullable: true },
    source: { type: 'string', length: 10 },
    voidedAt: { type: 'datetime', nullable: true },
    voidReason: { type: 'text', nullable: true },
    voidedBy: { type: 'string', nullable: true },
    parentId: { type: 'uuid', nullable: true },
    allocated: { type: 'boolean', default: false },
    createdAt: createdAt(),
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
    tenant: ownedByTenant(),
    invoice: partOfInvoice(),
    seq: { type: 'integer' },
    amount: money(),
    date: { type: 'date' },
    method: { type: 'string', length: 20, nullable: true },
  },
});

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
    tenant: ownedByTenant(),
    invoice: partOfInvoice(),
    type: { type: 'string', length: 32 },
    dedupeKey: { type: 'string' },
    data: { type: 'json' },
    occurredAt: { type: 'datetime' },
  },
});

/** A refund asked of Stripe for a card payment, or reported by Stripe's webhooks; keyed by Stripe's id (re_…). */
export class Refund {
  tenant!: Tenant;
  id!: string;
  paymentId!: string;
  amount!: number;
  currency!: string;
  /** Stripe's status: pending, requires_action, succeeded, failed, canceled. */
  status!: string;
  reason?: string | null;
  failureReason?: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}
export const RefundSchema = new EntitySchema<Refund>({
  class: Refund,
  tableName: 'refunds',
  indexes: [{ properties: ['tenant', 'paymentId'] }],
  properties: {
    tenant: ownedByTenant({ primary: true }),
    id: { type: 'string', primary: true },
    paymentId: { type: 'uuid' },
    amount: money(),
    currency: { type: 'string', length: 3 },
    status: { type: 'string', length: 32 },
    reason: { type: 'text', nullable: true },
    failureReason: { type: 'text', nullable: true },
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

export const invoiceEntities = [InvoiceSchema, PaymentSchema, PlannedPaymentSchema, InvoiceEventSchema, RefundSchema];
