/** Reminder policy validation, schedule computation and the workflow's pure timing rules. */
import { DomainError } from '../../domain/errors';
import { zonedInstant } from '../../domain/dates';
import { defaultReminderPolicy, reminderJobId, reminderSchedule, validateReminderPolicy, type ReminderPolicy } from '../../domain/reminders';
import { decideReminder, dueReminders, nextReminderAt, nextReminderStep, settleReminderStep, unhandledReminders, type ReminderTrack } from '../../workflows/reminders';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
};

describe('reminder policy', () => {
  test('defaults: 3 days before and on the day; dunning 1, 7, 14 days; 09:00', () => {
    expect(defaultReminderPolicy()).toEqual({ installments: { enabled: true, offsets: [-3, 0] }, dunning: { enabled: true, offsets: [1, 7, 14] }, sendAtMinutes: 540 });
  });

  test('normalizes (sorted) and keeps switches', () => {
    expect(validateReminderPolicy({ installments: { enabled: false, offsets: [0, -7, -1] }, dunning: { enabled: true, offsets: [30, 2] }, sendAtMinutes: 600 })).toEqual({
      installments: { enabled: false, offsets: [-7, -1, 0] },
      dunning: { enabled: true, offsets: [2, 30] },
      sendAtMinutes: 600,
    });
    expect(validateReminderPolicy({ installments: { enabled: true, offsets: [] }, dunning: { enabled: true, offsets: [1] } }).sendAtMinutes).toBe(540);
  });

  test.each([
    [{ installments: { enabled: true, offsets: [1.5] }, dunning: { enabled: true, offsets: [1] } }, 'invalid_offset'],
    [{ installments: { enabled: true, offsets: [-61] }, dunning: { enabled: true, offsets: [1] } }, 'invalid_offset'],
    [{ installments: { enabled: true, offsets: [61] }, dunning: { enabled: true, offsets: [1] } }, 'invalid_offset'],
    [{ installments: { enabled: true, offsets: [0] }, dunning: { enabled: true, offsets: [0] } }, 'invalid_offset'],
    [{ installments: { enabled: true, offsets: [0] }, dunning: { enabled: true, offsets: [366] } }, 'invalid_offset'],
    [{ installments: { enabled: true, offsets: ['1'] }, dunning: { enabled: true, offsets: [1] } }, 'invalid_offset'],
    [{ installments: { enabled: true, offsets: [-3, -3] }, dunning: { enabled: true, offsets: [1] } }, 'duplicate_offset'],
    [{ installments: { enabled: 'yes', offsets: [] }, dunning: { enabled: true, offsets: [1] } }, 'invalid_reminder_policy'],
    [{ installments: { enabled: true, offsets: [] } }, 'invalid_reminder_policy'],
    [{ installments: { enabled: true, offsets: [] }, dunning: { enabled: true, offsets: [1] }, sendAtMinutes: 1440 }, 'invalid_send_time'],
    [{ installments: { enabled: true, offsets: Array.from({ length: 11 }, (_, i) => -i) }, dunning: { enabled: true, offsets: [1] } }, 'too_many_offsets'],
  ])('rejects %j with %s', (input, code) => {
    const err = errorOf(() => validateReminderPolicy(input));
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'validation', code });
  });
});

describe('reminderSchedule', () => {
  const plan = [
    { id: 'a', date: '2026-12-10' },
    { id: 'b', date: '2027-01-10' },
  ];
  test('reminders past 9999-12-31 are never scheduled (dunning after the last accepted due date)', () => {
    const s = reminderSchedule({ plan: [{ id: 'z', date: '9999-12-31' }], dueDate: '9999-12-31', timeZone: 'UTC', policy: defaultReminderPolicy() });
    expect(s.map((r) => r.key)).toEqual(['inst-z-m3', 'inst-z-p0']);
  });

  test('instants at 09:00 tenant time, in time order, with stable keys', () => {
    const s = reminderSchedule({ plan, dueDate: '2027-01-10', timeZone: 'America/New_York', policy: defaultReminderPolicy() });
    expect(s.map((r) => [r.key, r.date])).toEqual([
      ['inst-a-m3', '2026-12-07'],
      ['inst-a-p0', '2026-12-10'],
      ['inst-b-m3', '2027-01-07'],
      ['inst-b-p0', '2027-01-10'],
      ['dun-p1', '2027-01-11'],
      ['dun-p7', '2027-01-17'],
      ['dun-p14', '2027-01-24'],
    ]);
    expect(s[0].at).toBe(Date.UTC(2026, 11, 7, 14, 0)); // 09:00 EST = 14:00 UTC
    expect(s[0].at).toBe(zonedInstant('2026-12-07', 'America/New_York', 540));
    expect(s.filter((r) => r.kind === 'dunning').map((r) => r.step)).toEqual([1, 2, 3]);
    expect(s.find((r) => r.key === 'inst-b-p0')).toMatchObject({ kind: 'installment', installmentId: 'b', offset: 0 });
    expect(reminderJobId('inv', s[0].key)).toBe('reminder-inv-inst-a-m3');
    expect(s.every((r) => !reminderJobId('00000000-0000-0000-0000-000000000000', r.key).includes(':'))).toBe(true);
  });

  test('each part can be turned off', () => {
    const off = (p: Partial<ReminderPolicy>) => reminderSchedule({ plan, dueDate: '2027-01-10', timeZone: 'UTC', policy: { ...defaultReminderPolicy(), ...p } });
    expect(off({ installments: { enabled: false, offsets: [-3, 0] } }).every((r) => r.kind === 'dunning')).toBe(true);
    expect(off({ dunning: { enabled: false, offsets: [1] } }).every((r) => r.kind === 'installment')).toBe(true);
    expect(off({ installments: { enabled: false, offsets: [] }, dunning: { enabled: false, offsets: [1] } })).toEqual([]);
  });
});

describe('workflow reminder timing', () => {
  const schedule = reminderSchedule({
    plan: [
      { id: 'a', date: '2026-12-10' },
      { id: 'b', date: '2026-12-20' },
    ],
    dueDate: '2026-12-20',
    timeZone: 'UTC',
    policy: defaultReminderPolicy(),
  });
  const track = (done: string[] = []): ReminderTrack => ({ schedule, done });
  const at = (key: string) => schedule.find((r) => r.key === key)!.at;

  test('next instant skips handled and already-due reminders', () => {
    expect(nextReminderAt(undefined, 0)).toBeUndefined();
    expect(nextReminderAt(track(), 0)).toBe(at('inst-a-m3'));
    expect(nextReminderAt(track(['inst-a-m3']), 0)).toBe(at('inst-a-p0'));
    expect(nextReminderAt(track(), at('inst-a-m3'))).toBe(at('inst-a-p0'));
    expect(dueReminders(track(), at('inst-a-p0')).map((r) => r.key)).toEqual(['inst-a-m3', 'inst-a-p0']);
    expect(dueReminders(track(['inst-a-m3']), at('inst-a-p0')).map((r) => r.key)).toEqual(['inst-a-p0']);
    expect(unhandledReminders(track(['inst-a-m3'])).length).toBe(schedule.length - 1);
  });

  test('payments cover installments oldest first; paid and void stop everything; dunning only when overdue', () => {
    const plan = [
      { id: 'a', amount: 3000 },
      { id: 'b', amount: 2000 },
    ];
    const ctx = { plan, total: 5000, paid: 0, voided: false, overdueAt: at('dun-p1') - 9 * 3_600_000, now: 0 };
    const r = (key: string) => schedule.find((x) => x.key === key)!;
    expect(decideReminder(r('inst-a-m3'), ctx)).toEqual({ action: 'send', amount: 3000 });
    expect(decideReminder(r('inst-a-m3'), { ...ctx, paid: 1000 })).toEqual({ action: 'send', amount: 2000 });
    expect(decideReminder(r('inst-a-m3'), { ...ctx, paid: 3000 })).toEqual({ action: 'skip', reason: 'installment_covered' });
    expect(decideReminder(r('inst-b-m3'), { ...ctx, paid: 3500 })).toEqual({ action: 'send', amount: 1500 });
    expect(decideReminder(r('inst-b-m3'), { ...ctx, paid: 5000 })).toEqual({ action: 'skip', reason: 'invoice_paid' });
    expect(decideReminder(r('inst-b-m3'), { ...ctx, voided: true })).toEqual({ action: 'skip', reason: 'invoice_void' });
    expect(decideReminder(r('dun-p1'), { ...ctx, now: ctx.overdueAt - 1 })).toEqual({ action: 'skip', reason: 'not_overdue' });
    expect(decideReminder(r('dun-p1'), { ...ctx, paid: 1200, now: at('dun-p1') })).toEqual({ action: 'send', amount: 3800 });
  });

  test('reminders-resume-v1: a paid invoice parks its reminders (no timers), a reopened one resumes those still ahead', () => {
    const all = schedule.map((r) => r.key);
    const t = track(['inst-a-m3']);
    const now = at('inst-a-p0') - 1;
    // Before the patch: paid ends the reminders for good.
    expect(nextReminderStep(t, { state: 'paid', now, parkWhenPaid: false })).toEqual({ action: 'skip', keys: all.slice(1), reason: 'invoice_paid', park: false });
    const step = nextReminderStep(t, { state: 'paid', now, parkWhenPaid: true })!;
    expect(step).toEqual({ action: 'skip', keys: all.slice(1), reason: 'invoice_paid', park: true });
    settleReminderStep(t, step as Extract<typeof step, { action: 'skip' }>);
    expect(t).toMatchObject({ done: ['inst-a-m3'], parked: all.slice(1) });
    expect(nextReminderAt(t, now)).toBeUndefined();
    expect(nextReminderStep(t, { state: 'paid', now: at('dun-p14'), parkWhenPaid: true })).toBeUndefined();

    // Reopened after inst-a-p0 passed while paid: it stays skipped, the rest resume.
    const reopened = nextReminderStep(t, { state: 'live', now: at('inst-a-p0'), parkWhenPaid: true })!;
    expect(reopened).toEqual({ action: 'resume', keys: all.slice(2), lapsed: ['inst-a-p0'] });
    settleReminderStep(t, reopened as Extract<typeof reopened, { action: 'resume' }>);
    expect(t).toMatchObject({ done: ['inst-a-m3', 'inst-a-p0'], parked: [] });
    expect(nextReminderAt(t, at('inst-a-p0'))).toBe(at('inst-b-m3'));
    expect(nextReminderStep(t, { state: 'live', now: at('inst-b-m3'), parkWhenPaid: true })).toEqual({ action: 'decide', due: [schedule[2]] });
    expect(nextReminderStep(t, { state: 'void', now: at('inst-b-m3'), parkWhenPaid: true })).toMatchObject({ action: 'skip', reason: 'invoice_void', park: false });
  });
});
