/** Reminder policy per tenant (validated by domain/reminders.ts) and the reminders list. */
import type { FilterQuery } from '@mikro-orm/core';
import { Reminder, ReminderPolicyRecord } from '../db';
import { assertIsoDate } from '../domain/dates';
import { validationError } from '../domain/errors';
import { defaultReminderPolicy, validateReminderPolicy, type ReminderPolicy, type ReminderStatus } from '../domain/reminders';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, toPage } from './pagination';

export async function getReminderPolicy(deps: Pick<ServiceDeps, 'orm'>, tenant: Pick<TenantContext, 'id'>): Promise<ReminderPolicy> {
  const row = await deps.orm.em.fork().findOne(ReminderPolicyRecord, { tenant: tenant.id });
  return row?.policy ?? defaultReminderPolicy();
}

/** Replaces the tenant's policy. Applies to invoices created afterwards (existing schedules are kept). */
export async function updateReminderPolicy(deps: Pick<ServiceDeps, 'orm'>, tenant: Pick<TenantContext, 'id'>, input: unknown): Promise<ReminderPolicy> {
  const policy = validateReminderPolicy(input);
  await deps.orm.em
    .fork()
    .createQueryBuilder(ReminderPolicyRecord)
    .insert({ tenant: tenant.id, policy, updatedAt: new Date() })
    .onConflict('tenant')
    .merge(['policy', 'updatedAt'])
    .execute();
  return policy;
}

export interface ReminderListQuery {
  limit?: number;
  cursor?: string;
  invoiceId?: string;
  status?: ReminderStatus;
  /** Tenant-local reminder dates, inclusive. */
  dateFrom?: string;
  dateTo?: string;
}

/** Reminders across invoices, soonest first (scheduledAt, then id). */
export async function listReminders(deps: Pick<ServiceDeps, 'orm'>, tenant: Pick<TenantContext, 'id'>, query: ReminderListQuery) {
  const limit = query.limit ?? 25;
  const conditions: FilterQuery<Reminder>[] = [{ tenant: tenant.id }];
  const after = decodeCursor(query.cursor, ['string', 'uuid']);
  if (after) {
    const at = new Date(String(after[0]));
    if (Number.isNaN(at.getTime())) throw validationError('invalid_cursor', 'cursor is not valid; use nextCursor from a previous page', { cursor: query.cursor });
    const id = String(after[1]);
    conditions.push({ $or: [{ scheduledAt: { $gt: at } }, { scheduledAt: at, id: { $gt: id } }] });
  }
  if (query.invoiceId) conditions.push({ invoice: query.invoiceId });
  if (query.status) conditions.push({ status: query.status });
  if (query.dateFrom) conditions.push({ date: { $gte: assertIsoDate(query.dateFrom, 'dateFrom') } });
  if (query.dateTo) conditions.push({ date: { $lte: assertIsoDate(query.dateTo, 'dateTo') } });
  if (query.dateFrom && query.dateTo && query.dateFrom > query.dateTo) {
    throw validationError('invalid_date_range', 'dateFrom must be on or before dateTo', { dateFrom: query.dateFrom, dateTo: query.dateTo });
  }
  const rows = await deps.orm.em.fork().find(Reminder, { $and: conditions }, { orderBy: [{ scheduledAt: 'asc' }, { id: 'asc' }], limit: limit + 1, populate: ['invoice'] });
  return toPage(rows, limit, (r) => [r.scheduledAt.toISOString(), r.id]);
}
