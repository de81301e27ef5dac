import type { Static } from '@sinclair/typebox';
import type { Reminder } from '../../db';
import type { ReminderResponse } from '../schemas/reminders';
import { invoiceRef, iso, isoOrNull } from './common';

export const reminderJson = (r: Reminder): Static<typeof ReminderResponse> => ({
  id: r.id,
  invoice: invoiceRef(r.invoice),
  key: r.key,
  kind: r.kind,
  installmentId: r.installmentId ?? null,
  offset: r.offset,
  step: r.step ?? null,
  scheduledAt: iso(r.scheduledAt),
  date: r.date,
  status: r.status,
  amount: r.amount ?? null,
  attempts: r.attempts,
  lastError: r.lastError ?? null,
  skipReason: r.skipReason ?? null,
  sentAt: isoOrNull(r.sentAt),
  channel: r.channel ?? null,
});
