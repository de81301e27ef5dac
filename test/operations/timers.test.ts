/**
 * Every durable timer of an invoice says what it waits for and when, in the tenant's time zone, and
 * every reminder activity says what it does — read from the history of a run on the time-skipping
 * test server with reminders (real Redis queue and Postgres).
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { addDays, dateIn } from '../../domain/dates';
import { eventually, insertInvoice } from '../support/fixtures';
import { readReminders, useReminderHarness } from '../support/reminders';

const h = useReminderHarness('ops-timers');

const summaries = (events: temporal.api.history.v1.IHistoryEvent[], has: (e: temporal.api.history.v1.IHistoryEvent) => unknown) =>
  [...new Set(events.filter(has).map((e) => (e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary as Payload) : null)))];

test('timers name the instalment, reminder or due date they wait for, at local wall-clock time; activities say what they do', async () => {
  const now = await h.env.currentTimeMs();
  const timeZone = 'America/New_York';
  const issueDate = addDays(dateIn(now, timeZone), 1);
  const [p1, p2] = [addDays(issueDate, 10), addDays(issueDate, 30)];
  const fx = await insertInvoice(h.orm, { now, total: 3000, timeZone, issueDate, dueDate: p2, plan: [{ amount: 1000, date: p1 }, { amount: 2000, date: p2 }] });
  const handle = await h.start(fx);
  await eventually(async () => expect((await readReminders(h.orm, fx.invoiceId)).length).toBeGreaterThan(0));
  await h.skipTo(fx.input.overdueAt + 20 * 86_400_000);
  const events = (await handle.fetchHistory()).events ?? [];

  const at = (date: string, days: number, time: string) => `${addDays(date, days)} ${time} ${timeZone}`;
  expect(summaries(events, (e) => e.timerStartedEventAttributes).sort()).toEqual(
    [
      `instalment 1 of 2 ($10.00) due at ${at(p1, 0, '00:00')}`,
      `reminder 3 days before instalment 1 of 2 at ${at(p1, -3, '09:00')}`,
      `reminder on the day of instalment 1 of 2 at ${at(p1, 0, '09:00')}`,
      `reminder 3 days before instalment 2 of 2 at ${at(p2, -3, '09:00')}`,
      `instalment 2 of 2 ($20.00) due at ${at(p2, 0, '00:00')}`,
      `reminder on the day of instalment 2 of 2 at ${at(p2, 0, '09:00')}`,
      `due date ${p2} → overdue at ${at(p2, 1, '00:00')}`,
      `dunning reminder 1 (1 day after the due date) at ${at(p2, 1, '09:00')}`,
      `dunning reminder 2 (7 days after the due date) at ${at(p2, 7, '09:00')}`,
      `dunning reminder 3 (14 days after the due date) at ${at(p2, 14, '09:00')}`,
    ].sort(),
  );
  expect(summaries(events, (e) => e.activityTaskScheduledEventAttributes)).toEqual(
    expect.arrayContaining([
      'queue reminder 3 days before instalment 1 of 2 for $10.00',
      'queue dunning reminder 3 (14 days after the due date) for $30.00',
    ]),
  );
  // persistInvoice and the reminder schedule are local activities (persist-local-v1, reminders-local-v1): their summaries are on their markers.
  expect(summaries(events, (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toEqual(
    expect.arrayContaining([`reminder schedule for due date ${p2} and 2 instalments`, 'persist state v1: overdue, due $30.00, 1 event']),
  );
});
