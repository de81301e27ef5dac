import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as S from '../schemas';
import { getReminderPolicy, listReminders, updateReminderPolicy } from '../../services/reminders';
import { DUNNING_OFFSET_RANGE, INSTALLMENT_OFFSET_RANGE, MAX_OFFSETS, REMINDER_KINDS, REMINDER_STATUSES } from '../../domain/reminders';
import type { Reminder } from '../../db';
import type { ServiceDeps } from '../../services/context';

const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const Offsets = (range: readonly [number, number], description: string) =>
  Type.Object(
    { enabled: Type.Boolean(), offsets: Type.Array(Type.Integer({ minimum: range[0], maximum: range[1] }), { maxItems: MAX_OFFSETS, description }) },
    { additionalProperties: false },
  );
export const ReminderPolicyBody = Type.Object(
  {
    installments: Offsets(INSTALLMENT_OFFSET_RANGE, 'days relative to each planned payment date (-3 = three days before, 0 = on the day)'),
    dunning: Offsets(DUNNING_OFFSET_RANGE, 'days after the due date while the invoice is overdue'),
    sendAtMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1439, description: 'local send time, minutes after midnight (default 540 = 09:00)' })),
  },
  { additionalProperties: false },
);
export const ReminderPolicyResponse = Type.Object({
  installments: Type.Object({ enabled: Type.Boolean(), offsets: Type.Array(Type.Integer()) }),
  dunning: Type.Object({ enabled: Type.Boolean(), offsets: Type.Array(Type.Integer()) }),
  sendAtMinutes: Type.Integer(),
});
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
export const ReminderResponse = Type.Object({
  id: S.Uuid,
  invoice: S.InvoiceRef,
  key: Type.String(),
  kind: literals(REMINDER_KINDS),
  installmentId: Nullable(S.Uuid),
  offset: Type.Integer(),
  step: Nullable(Type.Integer()),
  scheduledAt: Type.String({ format: 'date-time' }),
  date: S.IsoDate,
  status: literals(REMINDER_STATUSES),
  amount: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  skipReason: Nullable(Type.String()),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  channel: Nullable(Type.String()),
});
export const ReminderListQuery = Type.Object(
  {
    limit: S.ListQueryBase.limit,
    cursor: S.ListQueryBase.cursor,
    invoiceId: Type.Optional(S.Uuid),
    status: Type.Optional(literals(REMINDER_STATUSES)),
    dateFrom: Type.Optional(S.IsoDate),
    dateTo: Type.Optional(S.IsoDate),
  },
  { additionalProperties: false },
);

export const reminderJson = (r: Reminder) => ({
  id: r.id,
  invoice: { id: r.invoice.id, number: r.invoice.number },
  key: r.key,
  kind: r.kind,
  installmentId: r.installmentId ?? null,
  offset: r.offset,
  step: r.step ?? null,
  scheduledAt: r.scheduledAt.toISOString(),
  date: r.date,
  status: r.status,
  amount: r.amount ?? null,
  attempts: r.attempts,
  lastError: r.lastError ?? null,
  skipReason: r.skipReason ?? null,
  sentAt: r.sentAt ? r.sentAt.toISOString() : null,
  channel: r.channel ?? null,
});

export const reminderRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.get('/settings/reminders', { schema: { tags: ['reminders'], response: { 200: ReminderPolicyResponse } } }, async (req) => getReminderPolicy(deps, req.tenant));
  app.put('/settings/reminders', { schema: { tags: ['reminders'], body: ReminderPolicyBody, response: { 200: ReminderPolicyResponse } } }, async (req) =>
    updateReminderPolicy(deps, req.tenant, req.body),
  );
  app.get('/reminders', { schema: { tags: ['reminders'], querystring: ReminderListQuery, response: { 200: S.Page(ReminderResponse) } } }, async (req) => {
    const page = await listReminders(deps, req.tenant, req.query);
    return { data: page.rows.map(reminderJson), nextCursor: page.nextCursor };
  });
};
