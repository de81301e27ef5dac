import { reminderDate, timeline, type HistoryEvent } from '../../web/src/lib/history';

const at = '2026-12-14T09:30:00.000Z';
let seq = 0;
const event = (type: string, data: Record<string, unknown> = {}, occurredAt = at): HistoryEvent & { id: string } => ({ id: `e${++seq}`, type, occurredAt, data });
const days = (entry: HistoryEvent[]) => entry.map(reminderDate);

describe('invoice history timeline', () => {
  it("lists a schedule's reminders in date order, whatever order the API gave them in", () => {
    // The order QA saw: Jan 1, Jan 14, Jan 7, Dec 28 (the events of one schedule happened at the same moment).
    const created = event('created', { total: 1000 });
    const planned = ['2027-01-01', '2027-01-14', '2027-01-07', '2026-12-28'].map((date) => event('reminder_scheduled', { date }));
    const entries = timeline([created, ...planned]);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual([created]);
    expect(days(entries[1])).toEqual(['2026-12-28', '2027-01-01', '2027-01-07', '2027-01-14']);
    expect(new Set(entries[1])).toEqual(new Set(planned)); // the same events, only reordered
  });

  it('keeps the order of events on the same day, and puts one without a day last', () => {
    const a = event('reminder_scheduled', { date: '2027-01-07', key: 'a' });
    const b = event('reminder_scheduled', { date: '2027-01-07', key: 'b' });
    const undated = event('reminder_scheduled', {});
    const early = event('reminder_scheduled', { date: '2027-01-01' });
    expect(timeline([a, undated, b, early])).toEqual([[early, a, b, undated]]);
  });

  it('groups only reminders planned or skipped at the same moment for the same reason; the events stay in history order', () => {
    const later = '2026-12-20T08:00:00.000Z';
    const history = [
      event('reminder_scheduled', { date: '2027-01-14' }),
      event('reminder_scheduled', { date: '2027-01-07' }),
      event('payment_applied', { amount: 500 }),
      event('reminder_skipped', { date: '2027-01-14', reason: 'invoice_paid' }, later),
      event('reminder_skipped', { date: '2027-01-07', reason: 'invoice_paid' }, later),
      event('reminder_skipped', { date: '2027-01-01', reason: 'not_overdue' }, later),
      event('reopened', {}, later),
      event('reminder_scheduled', { date: '2027-02-01', reason: 'invoice_reopened' }, later),
      event('reminder_scheduled', { date: '2027-01-21', reason: 'invoice_reopened' }, later),
      event('reminder_scheduled', { date: '2027-01-28' }, later),
    ];
    const entries = timeline(history);
    expect(entries.map((e) => [e[0].type, days(e)])).toEqual([
      ['reminder_scheduled', ['2027-01-07', '2027-01-14']],
      ['payment_applied', ['']],
      ['reminder_skipped', ['2027-01-07', '2027-01-14']],
      ['reminder_skipped', ['2027-01-01']],
      ['reopened', ['']],
      ['reminder_scheduled', ['2027-01-21', '2027-02-01']],
      ['reminder_scheduled', ['2027-01-28']],
    ]);
    expect(entries.flat()).toHaveLength(history.length);
  });

  it('does not change the history it is given', () => {
    const history = [event('reminder_scheduled', { date: '2027-01-14' }), event('reminder_scheduled', { date: '2027-01-07' })];
    const copy = [...history];
    timeline(history);
    expect(history).toEqual(copy);
  });
});
