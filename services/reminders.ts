/** Reminder policy per tenant (validated by domain/reminders.ts) and the reminders list. */
import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Reminder, ReminderPolicyRecord } from '../db';
import { insertReminderSchedule, remindersOfInvoice, storedSchedule, type NewReminder } from '../db/repositories/reminders';
import { assertIsoDate } from '../domain/dates';
import { validationError } from '../domain/errors';
import { defaultReminderPolicy, reminderSchedule, validateReminderPolicy, type ReminderPolicy, type ReminderStatus, type StoredReminderSchedule } from '../domain/reminders';
import type { ServiceDeps, TenantContext } from './context';
import { afterKey, decodeCursor, DEFAULT_PAGE_SIZE, toPage, type DateRangeParams, type Page, type PageParams } from './pagination';

export async function getReminderPolicy(deps: ServiceDeps, tenant: TenantContext): Promise<ReminderPolicy> {
  const row = await deps.em.findOne(ReminderPolicyRecord, { tenant: tenant.id });
  return row?.policy ?? defaultReminderPolicy();
}

/** What an invoice's reminder schedule is computed from. */
export interface ReminderScheduleSource {
  plan: readonly { id: string; date: string }[];
  dueDate: string;
  timeZone: string;
  policy: ReminderPolicy | null;
  now: number;
}

/**
 * An invoice's reminder schedule (its plan, due date, the tenant's time zone and policy) as it is
 * stored: reminders already past at `now` are stored skipped.
 */
export const newReminderSchedule = (a: ReminderScheduleSource): NewReminder[] =>
  reminderSchedule({ plan: a.plan, dueDate: a.dueDate, timeZone: a.timeZone, policy: a.policy ?? defaultReminderPolicy() }).map((r) => ({ ...r, skipped: r.at < a.now }));

/**
 * Computes and stores an invoice's reminder schedule, rows with their history events in one
 * statement, in the first task of a workflow started without it (creation stores it in its own
 * statement). Idempotent: a reminder stored already (a concurrent attempt) is what the schedule holds.
 */
export async function storeReminderSchedule(em: EntityManager, a: ReminderScheduleSource & { tenantId: string; invoiceId: string }): Promise<StoredReminderSchedule> {
  const reminders = newReminderSchedule(a);
  if (reminders.length === 0) return { schedule: [], done: [] };
  const inserted = await insertReminderSchedule(em, { tenantId: a.tenantId, invoiceId: a.invoiceId, reminders, createdAt: new Date(a.now) });
  return storedSchedule(inserted.length < reminders.length ? await remindersOfInvoice(em, a.tenantId, a.invoiceId) : inserted);
}

/** Replaces the tenant's policy. Applies to invoices created afterwards (existing schedules are kept). */
export async function updateReminderPolicy(deps: ServiceDeps, tenant: TenantContext, input: unknown): Promise<ReminderPolicy> {
  const policy = validateReminderPolicy(input);
  await deps.em
    .createQueryBuilder(ReminderPolicyRecord)
    .insert({ tenant: tenant.id, policy, updatedAt: new Date() })
    .onConflict('tenant')
    .merge(['policy', 'updatedAt'])
    .execute();
  return policy;
}

/** Dates are the tenant-local reminder dates. */
export interface ReminderListQuery extends PageParams, DateRangeParams {
  invoiceId?: string;
  status?: ReminderStatus;
}

/** Reminders across invoices, soonest first (scheduledAt, then id). */
export async function listReminders(deps: ServiceDeps, tenant: TenantContext, query: ReminderListQuery): Promise<Page<Reminder>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const conditions: FilterQuery<Reminder>[] = [{ tenant: tenant.id }];
  const after = decodeCursor(query.cursor, ['datetime', 'uuid']);
  if (after) conditions.push(afterKey('scheduledAt', new Date(after[0]), after[1], 'asc'));
  if (query.invoiceId) conditions.push({ invoice: query.invoiceId });
  if (query.status) conditions.push({ status: query.status });
  if (query.dateFrom) conditions.push({ date: { $gte: assertIsoDate(query.dateFrom, 'dateFrom') } });
  if (query.dateTo) conditions.push({ date: { $lte: assertIsoDate(query.dateTo, 'dateTo') } });
  if (query.dateFrom && query.dateTo && query.dateFrom > query.dateTo) {
    throw validationError('invalid_date_range', 'dateFrom must be on or before dateTo', { dateFrom: query.dateFrom, dateTo: query.dateTo });
  }
  const rows = await deps.em.find(Reminder, { $and: conditions }, { orderBy: [{ scheduledAt: 'asc' }, { id: 'asc' }], limit: limit + 1, populate: ['invoice'] });
  return toPage(rows, limit, (r) => [r.scheduledAt.toISOString(), r.id]);
}
