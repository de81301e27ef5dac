/**
 * Reminder policy and schedule: when customers are reminded of planned payments (offsets in days
 * relative to each installment's date) and dunned for overdue balances (days after the due date).
 * Pure rules — no framework imports — shared by the API (validation), the activities (materializing
 * the schedule) and the workflow (timing).
 */
import { validationError } from './errors';
import { addDays, isIsoDate, LAST_MINUTE_OF_DAY, zonedInstant } from './dates';

export interface ReminderOffsets {
  enabled: boolean;
  /** Whole days; sorted ascending, unique. */
  offsets: number[];
}

export interface ReminderPolicy {
  /** Relative to each planned payment date: -3 = three days before, 0 = on the day. */
  installments: ReminderOffsets;
  /** Days after the invoice's due date while a balance is overdue. */
  dunning: ReminderOffsets;
  /** Local wall-clock send time in the tenant's time zone, minutes after midnight. */
  sendAtMinutes: number;
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = Object.freeze({
  installments: { enabled: true, offsets: [-3, 0] },
  dunning: { enabled: true, offsets: [1, 7, 14] },
  sendAtMinutes: 9 * 60,
}) as ReminderPolicy;

export const INSTALLMENT_OFFSET_RANGE = [-60, 60] as const;
export const DUNNING_OFFSET_RANGE = [1, 365] as const;
export const MAX_OFFSETS = 10;

export function defaultReminderPolicy(): ReminderPolicy {
  return {
    installments: { ...DEFAULT_REMINDER_POLICY.installments, offsets: [...DEFAULT_REMINDER_POLICY.installments.offsets] },
    dunning: { ...DEFAULT_REMINDER_POLICY.dunning, offsets: [...DEFAULT_REMINDER_POLICY.dunning.offsets] },
    sendAtMinutes: DEFAULT_REMINDER_POLICY.sendAtMinutes,
  };
}

function validateOffsets(value: unknown, field: string, [min, max]: readonly [number, number]): ReminderOffsets {
  if (typeof value !== 'object' || value === null) throw validationError('invalid_reminder_policy', `${field} must be an object`, { field });
  const { enabled, offsets } = value as Partial<ReminderOffsets>;
  if (typeof enabled !== 'boolean') throw validationError('invalid_reminder_policy', `${field}.enabled must be a boolean`, { field: `${field}.enabled`, value: enabled });
  if (!Array.isArray(offsets)) throw validationError('invalid_reminder_policy', `${field}.offsets must be an array of whole days`, { field: `${field}.offsets` });
  if (offsets.length > MAX_OFFSETS) {
    throw validationError('too_many_offsets', `${field}.offsets may hold at most ${MAX_OFFSETS} entries`, { field: `${field}.offsets`, count: offsets.length });
  }
  offsets.forEach((o, i) => {
    if (typeof o !== 'number' || !Number.isInteger(o) || o < min || o > max) {
      throw validationError('invalid_offset', `${field}.offsets[${i}] must be a whole number of days in [${min}, ${max}]`, { field: `${field}.offsets[${i}]`, value: o, min, max });
    }
  });
  const sorted = [...offsets].sort((a, b) => a - b);
  const dup = sorted.find((o, i) => i > 0 && sorted[i - 1] === o);
  if (dup !== undefined) throw validationError('duplicate_offset', `${field}.offsets contains ${dup} more than once`, { field: `${field}.offsets`, value: dup });
  return { enabled, offsets: sorted };
}

/** Validates a policy as received from a client and returns it normalized (offsets sorted). */
export function validateReminderPolicy(input: unknown): ReminderPolicy {
  if (typeof input !== 'object' || input === null) throw validationError('invalid_reminder_policy', 'reminder policy must be an object');
  const p = input as Partial<ReminderPolicy>;
  const sendAtMinutes = p.sendAtMinutes ?? DEFAULT_REMINDER_POLICY.sendAtMinutes;
  if (typeof sendAtMinutes !== 'number' || !Number.isInteger(sendAtMinutes) || sendAtMinutes < 0 || sendAtMinutes > LAST_MINUTE_OF_DAY) {
    throw validationError('invalid_send_time', `sendAtMinutes must be a whole number of minutes in [0, ${LAST_MINUTE_OF_DAY}]`, { field: 'sendAtMinutes', value: sendAtMinutes });
  }
  return {
    installments: validateOffsets(p.installments, 'installments', INSTALLMENT_OFFSET_RANGE),
    dunning: validateOffsets(p.dunning, 'dunning', DUNNING_OFFSET_RANGE),
    sendAtMinutes,
  };
}

export const REMINDER_KINDS = ['installment', 'dunning'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
export const REMINDER_STATUSES = ['scheduled', 'queued', 'sent', 'failed', 'skipped'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

/** One reminder instant. `key` is unique per invoice and stable: it names the reminder everywhere. */
export interface ReminderInstant {
  key: string;
  kind: ReminderKind;
  /** planned_payments.id (installment reminders). */
  installmentId?: string;
  /** Days relative to the installment date (installment) or after the due date (dunning). */
  offset: number;
  /** Dunning step, 1-based, in schedule order. */
  step?: number;
  /** Local calendar date the reminder goes out on. */
  date: string;
  /** Epoch ms. */
  at: number;
}

/** An invoice's stored schedule as its workflow follows it: every instant in order, and the keys already handled. */
export interface StoredReminderSchedule {
  schedule: ReminderInstant[];
  /** Keys that need no action from the workflow (already skipped/queued/sent). */
  done: string[];
}

const offsetLabel = (o: number) => (o < 0 ? `m${-o}` : `p${o}`);
export const installmentReminderKey = (installmentId: string, offset: number) => `inst-${installmentId}-${offsetLabel(offset)}`;
export const dunningReminderKey = (offset: number) => `dun-${offsetLabel(offset)}`;
/** BullMQ job id for a reminder: deterministic, and free of ':' (not allowed in custom job ids). */
export const reminderJobId = (invoiceId: string, key: string) => `reminder-${invoiceId}-${key}`;

/** Every reminder instant of an invoice under `policy`, in time order (then key). */
export function reminderSchedule(args: {
  plan: readonly { id: string; date: string }[];
  dueDate: string;
  timeZone: string;
  policy: ReminderPolicy;
}): ReminderInstant[] {
  const { plan, dueDate, timeZone, policy } = args;
  const out: ReminderInstant[] = [];
  if (policy.installments.enabled) {
    for (const installment of plan) {
      for (const offset of policy.installments.offsets) {
        const date = addDays(installment.date, offset);
        if (!isIsoDate(date)) continue; // beyond the calendar we accept: never due
        out.push({
          key: installmentReminderKey(installment.id, offset),
          kind: 'installment',
          installmentId: installment.id,
          offset,
          date,
          at: zonedInstant(date, timeZone, policy.sendAtMinutes),
        });
      }
    }
  }
  if (policy.dunning.enabled) {
    policy.dunning.offsets.forEach((offset, i) => {
      const date = addDays(dueDate, offset);
      if (!isIsoDate(date)) return;
      out.push({ key: dunningReminderKey(offset), kind: 'dunning', offset, step: i + 1, date, at: zonedInstant(date, timeZone, policy.sendAtMinutes) });
    });
  }
  return out.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * A paid invoice parks its remaining reminders (skipped, reason `invoice_paid`). If a refund or a
 * lost dispute reopens it, the parked reminders whose instant is still ahead resume (back to
 * `scheduled`, decided again at their instant); those whose instant passed while it was paid stay skipped.
 */
export function resumeOnReopen<T extends { at: number }>(parked: readonly T[], now: number): { resume: T[]; lapsed: T[] } {
  return { resume: parked.filter((r) => r.at > now), lapsed: parked.filter((r) => r.at <= now) };
}
