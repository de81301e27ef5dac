/**
 * Reminders storage: the per-tenant policy, the materialized schedule (one row per reminder instant,
 * status moving scheduled → queued → sent | failed, or → skipped) and the outbox of rendered messages.
 */
import { EntitySchema } from '@mikro-orm/core';
import type { ReminderKind, ReminderPolicy, ReminderStatus } from '../../domain/reminders';
import { createdAt, nullableMoney, updatedAt } from './columns';
import { partOfInvoice, type Invoice } from './invoice';
import { ownedByTenant, type Tenant } from './tenant';

export class ReminderPolicyRecord {
  tenant!: Tenant;
  policy!: ReminderPolicy;
  updatedAt!: Date;
}
export const ReminderPolicySchema = new EntitySchema<ReminderPolicyRecord>({
  class: ReminderPolicyRecord,
  tableName: 'reminder_policies',
  properties: {
    tenant: ownedByTenant({ primary: true }),
    policy: { type: 'json' },
    updatedAt: updatedAt(),
  },
});

export class Reminder {
  id!: string;
  tenant!: Tenant;
  invoice!: Invoice;
  /** Stable per invoice (domain/reminders.ts keys), e.g. `inst-<installment id>-m3`, `dun-p7`. */
  key!: string;
  kind!: ReminderKind;
  installmentId?: string | null;
  /** Days relative to the installment date / after the due date. */
  offset!: number;
  step?: number | null;
  scheduledAt!: Date;
  /** Tenant-local calendar date of scheduledAt. */
  date!: string;
  status!: ReminderStatus;
  /** Amount the reminder asks for (set when queued). */
  amount?: number | null;
  attempts!: number;
  lastError?: string | null;
  skipReason?: string | null;
  queuedAt?: Date | null;
  sentAt?: Date | null;
  /** Channels it was delivered through, comma separated. */
  channel?: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}
export const ReminderSchema = new EntitySchema<Reminder>({
  class: Reminder,
  tableName: 'reminders',
  uniques: [{ properties: ['invoice', 'key'] }],
  indexes: [{ properties: ['tenant', 'scheduledAt'] }, { properties: ['tenant', 'status'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    invoice: partOfInvoice(),
    key: { type: 'string', length: 64 },
    kind: { type: 'string', length: 16 },
    installmentId: { type: 'uuid', nullable: true },
    offset: { type: 'integer' },
    step: { type: 'integer', nullable: true },
    scheduledAt: { type: 'datetime' },
    date: { type: 'date' },
    status: { type: 'string', length: 16 },
    amount: nullableMoney(),
    attempts: { type: 'integer', default: 0 },
    lastError: { type: 'text', nullable: true },
    skipReason: { type: 'string', length: 32, nullable: true },
    queuedAt: { type: 'datetime', nullable: true },
    sentAt: { type: 'datetime', nullable: true },
    channel: { type: 'string', length: 64, nullable: true },
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

export class OutboxMessage {
  id!: string;
  tenant!: Tenant;
  /** One message per reminder: a retried delivery never stores a second one. */
  reminder!: Reminder;
  invoice!: Invoice;
  recipient?: string | null;
  subject!: string;
  body!: string;
  link!: string;
  createdAt!: Date;
  /** Set by whoever picks the message up (CRM, mailer). */
  deliveredAt?: Date | null;
}
export const OutboxMessageSchema = new EntitySchema<OutboxMessage>({
  class: OutboxMessage,
  tableName: 'outbox_messages',
  indexes: [{ properties: ['tenant', 'createdAt'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenant: ownedByTenant(),
    reminder: { kind: 'm:1', entity: () => Reminder, deleteRule: 'cascade', unique: true },
    invoice: partOfInvoice(),
    recipient: { type: 'string', length: 320, nullable: true },
    subject: { type: 'string', length: 500 },
    body: { type: 'text' },
    link: { type: 'string', length: 1000 },
    createdAt: createdAt(),
    deliveredAt: { type: 'datetime', nullable: true },
  },
});

export const reminderEntities = [ReminderPolicySchema, ReminderSchema, OutboxMessageSchema];
