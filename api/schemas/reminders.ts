import { Type } from '@sinclair/typebox';
import { LAST_MINUTE_OF_DAY } from '../../domain/dates';
import { DUNNING_OFFSET_RANGE, INSTALLMENT_OFFSET_RANGE, MAX_OFFSETS, REMINDER_KINDS, REMINDER_STATUSES } from '../../domain/reminders';
import { DateTime, InvoiceRef, IsoDate, literals, Nullable, PageQuery, Uuid } from './common';

const Offsets = (range: readonly [number, number], description: string) =>
  Type.Object(
    { enabled: Type.Boolean(), offsets: Type.Array(Type.Integer({ minimum: range[0], maximum: range[1] }), { maxItems: MAX_OFFSETS, uniqueItems: true, description }) },
    { additionalProperties: false },
  );
export const ReminderPolicyBody = Type.Object(
  {
    installments: Offsets(INSTALLMENT_OFFSET_RANGE, 'days relative to each planned payment date (-3 = three days before, 0 = on the day)'),
    dunning: Offsets(DUNNING_OFFSET_RANGE, 'days after the due date while the invoice is overdue'),
    sendAtMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: LAST_MINUTE_OF_DAY, description: 'local send time, minutes after midnight (default 540 = 09:00)' })),
  },
  { additionalProperties: false, examples: [{ installments: { enabled: true, offsets: [-3, 0] }, dunning: { enabled: true, offsets: [1, 7, 14] }, sendAtMinutes: 540 }] },
);
export const ReminderPolicyResponse = Type.Object({
  installments: Type.Object({ enabled: Type.Boolean(), offsets: Type.Array(Type.Integer()) }),
  dunning: Type.Object({ enabled: Type.Boolean(), offsets: Type.Array(Type.Integer()) }),
  sendAtMinutes: Type.Integer(),
});
export const ReminderResponse = Type.Object({
  id: Uuid,
  invoice: InvoiceRef,
  key: Type.String(),
  kind: literals(REMINDER_KINDS),
  installmentId: Nullable(Uuid),
  offset: Type.Integer(),
  step: Nullable(Type.Integer()),
  scheduledAt: DateTime,
  date: IsoDate,
  status: literals(REMINDER_STATUSES),
  amount: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  skipReason: Nullable(Type.String()),
  sentAt: Nullable(DateTime),
  channel: Nullable(Type.String()),
});
export const ReminderListQuery = Type.Object(
  {
    ...PageQuery,
    invoiceId: Type.Optional(Uuid),
    status: Type.Optional(literals(REMINDER_STATUSES)),
    dateFrom: Type.Optional({ ...IsoDate, description: 'reminders planned on or after this day' }),
    dateTo: Type.Optional({ ...IsoDate, description: 'reminders planned on or before this day; not before dateFrom' }),
  },
  { additionalProperties: false },
);
