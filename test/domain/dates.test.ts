import { DomainError } from '../../domain/errors';
import { domainError } from '../support/errors';
import { addDays, assertIsoDate, compareDates, dateIn, formatInstant, isIsoDate, isoInstant, isTimeZone, overdueInstant, zonedInstant } from '../../domain/dates';

const iso = (ms: number) => new Date(ms).toISOString();

describe('isIsoDate', () => {
  it.each(['2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '2026-02-28'])('accepts %s', (d) => {
    expect(isIsoDate(d)).toBe(true);
  });

  it.each(['2026-02-30', '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-01', '26-01-01', '2026-01-01T00:00:00Z', ' 2026-01-01', '', null, 20260101, new Date(0)])(
    'rejects %p',
    (d) => {
      expect(isIsoDate(d)).toBe(false);
    },
  );

  it('assertIsoDate throws invalid_date naming the field', () => {
    expect(assertIsoDate('2026-03-01', 'dueDate')).toBe('2026-03-01');
    const err = domainError(() => assertIsoDate('2026-02-30', 'dueDate'));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('invalid_date');
    expect(err.details).toEqual({ field: 'dueDate', value: '2026-02-30' });
  });
});

describe('addDays / compareDates', () => {
  it('moves across month, year and leap-day boundaries', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-01-15', 0)).toBe('2026-01-15');
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
    // DST days are still one calendar day (calendar maths never goes through a zone).
    expect(addDays('2026-03-08', 1)).toBe('2026-03-09');
  });

  it('orders dates as the calendar does', () => {
    expect(compareDates('2026-01-02', '2026-01-10')).toBe(-1);
    expect(compareDates('2026-10-01', '2026-09-30')).toBe(1);
    expect(compareDates('2026-05-05', '2026-05-05')).toBe(0);
  });
});

describe('time zones', () => {
  it('recognises IANA zones', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Pacific/Auckland')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(undefined)).toBe(false);
  });

  it('zonedInstant: local midnight in UTC and fixed zones', () => {
    expect(iso(zonedInstant('2026-06-15', 'UTC'))).toBe('2026-06-15T00:00:00.000Z');
    expect(iso(zonedInstant('2026-06-15', 'Asia/Kolkata'))).toBe('2026-06-14T18:30:00.000Z');
    expect(iso(zonedInstant('2026-06-15', 'UTC', 90))).toBe('2026-06-15T01:30:00.000Z');
  });

  it('zonedInstant: America/New_York across both DST changes (2026-03-08, 2026-11-01)', () => {
    expect(iso(zonedInstant('2026-03-07', 'America/New_York'))).toBe('2026-03-07T05:00:00.000Z');
    expect(iso(zonedInstant('2026-03-08', 'America/New_York'))).toBe('2026-03-08T05:00:00.000Z'); // EST at midnight
    expect(iso(zonedInstant('2026-03-09', 'America/New_York'))).toBe('2026-03-09T04:00:00.000Z'); // EDT
    expect(iso(zonedInstant('2026-03-08', 'America/New_York', 180))).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
    expect(iso(zonedInstant('2026-11-01', 'America/New_York'))).toBe('2026-11-01T04:00:00.000Z'); // EDT at midnight
    expect(iso(zonedInstant('2026-11-02', 'America/New_York'))).toBe('2026-11-02T05:00:00.000Z'); // EST
    // Across spring-forward the local day is 23 hours long, across fall-back 25.
    expect(zonedInstant('2026-03-09', 'America/New_York') - zonedInstant('2026-03-08', 'America/New_York')).toBe(23 * 3_600_000);
    expect(zonedInstant('2026-11-02', 'America/New_York') - zonedInstant('2026-11-01', 'America/New_York')).toBe(25 * 3_600_000);
  });

  it('zonedInstant: Pacific/Auckland (southern hemisphere, ends 2026-04-05, starts 2026-09-27)', () => {
    expect(iso(zonedInstant('2026-04-05', 'Pacific/Auckland'))).toBe('2026-04-04T11:00:00.000Z'); // NZDT +13
    expect(iso(zonedInstant('2026-04-06', 'Pacific/Auckland'))).toBe('2026-04-05T12:00:00.000Z'); // NZST +12
    expect(iso(zonedInstant('2026-09-27', 'Pacific/Auckland'))).toBe('2026-09-26T12:00:00.000Z'); // NZST +12
    expect(iso(zonedInstant('2026-09-28', 'Pacific/Auckland'))).toBe('2026-09-27T11:00:00.000Z'); // NZDT +13
    expect(zonedInstant('2026-04-06', 'Pacific/Auckland') - zonedInstant('2026-04-05', 'Pacific/Auckland')).toBe(25 * 3_600_000);
    expect(zonedInstant('2026-09-28', 'Pacific/Auckland') - zonedInstant('2026-09-27', 'Pacific/Auckland')).toBe(23 * 3_600_000);
  });

  it('zonedInstant: a midnight that does not exist (America/Santiago springs forward at 00:00) starts the day at 01:00', () => {
    // 2026-09-06 00:00 -04 never happens; the clocks jump to 01:00 -03 = 04:00Z.
    const start = zonedInstant('2026-09-06', 'America/Santiago');
    expect(iso(start)).toBe('2026-09-06T04:00:00.000Z');
    expect(dateIn(start, 'America/Santiago')).toBe('2026-09-06');
    expect(dateIn(start - 1, 'America/Santiago')).toBe('2026-09-05');
  });

  it('zonedInstant is the first instant of the local date, every day of 2026, in zones with DST', () => {
    for (const tz of ['America/New_York', 'Pacific/Auckland', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'America/Havana', 'Asia/Kolkata', 'UTC']) {
      for (let d = '2026-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
        const start = zonedInstant(d, tz);
        if (dateIn(start, tz) !== d || dateIn(start - 1, tz) !== addDays(d, -1)) {
          throw new Error(`${tz} ${d}: zonedInstant gave ${iso(start)} (${dateIn(start, tz)}; a ms earlier ${dateIn(start - 1, tz)})`);
        }
      }
    }
  });

  it('dateIn: the local calendar date of an instant', () => {
    const t = Date.parse('2026-03-08T04:30:00Z');
    expect(dateIn(t, 'UTC')).toBe('2026-03-08');
    expect(dateIn(t, 'America/New_York')).toBe('2026-03-07'); // 23:30 EST
    expect(dateIn(t, 'Pacific/Auckland')).toBe('2026-03-08'); // 17:30 NZDT
    expect(dateIn(Date.parse('2026-03-08T12:00:00Z'), 'Pacific/Auckland')).toBe('2026-03-09'); // 01:00 NZDT
  });

  it('overdueInstant: the due date must have fully passed in the tenant zone', () => {
    // Due Saturday 2026-03-07 in New York: overdue at midnight starting Sunday, still EST.
    expect(iso(overdueInstant('2026-03-07', 'America/New_York'))).toBe('2026-03-08T05:00:00.000Z');
    // Due on the spring-forward day: overdue at the (EDT) midnight after it.
    expect(iso(overdueInstant('2026-03-08', 'America/New_York'))).toBe('2026-03-09T04:00:00.000Z');
    expect(iso(overdueInstant('2026-04-04', 'Pacific/Auckland'))).toBe('2026-04-04T11:00:00.000Z');
    expect(iso(overdueInstant('2026-04-05', 'Pacific/Auckland'))).toBe('2026-04-05T12:00:00.000Z');
    expect(iso(overdueInstant('2026-09-05', 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    for (const [due, tz] of [
      ['2026-03-08', 'America/New_York'],
      ['2026-11-01', 'America/New_York'],
      ['2026-04-05', 'Pacific/Auckland'],
      ['2026-09-27', 'Pacific/Auckland'],
      ['2026-09-05', 'America/Santiago'],
    ]) {
      const at = overdueInstant(due, tz);
      expect(dateIn(at - 1, tz)).toBe(due);
      expect(dateIn(at, tz)).toBe(addDays(due, 1));
    }
  });
});

describe('the accepted calendar: 1900-01-01 to 9999-12-31', () => {
  it('isIsoDate takes the ends and refuses what lies outside', () => {
    expect([isIsoDate('1900-01-01'), isIsoDate('9999-12-31')]).toEqual([true, true]);
    expect([isIsoDate('1899-12-31'), isIsoDate('0000-01-01'), isIsoDate('0099-06-01')]).toEqual([false, false, false]);
  });

  it('the last day still becomes overdue at the next midnight', () => {
    expect(overdueInstant('9999-12-31', 'UTC')).toBe(Date.UTC(10000, 0, 1));
    expect(overdueInstant('9999-12-31', 'Europe/Berlin')).toBe(Date.UTC(9999, 11, 31, 23));
  });

  it('dates moved past the end are no ISO dates', () => {
    expect(isIsoDate(addDays('9999-12-31', 1))).toBe(false);
    expect(isIsoDate(addDays('1900-01-01', -1))).toBe(false);
  });
});

describe('instants for people: formatInstant and isoInstant', () => {
  it('show the wall-clock time in the zone, across DST and past year 9999', () => {
    const berlinMidnight = overdueInstant('2026-12-14', 'Europe/Berlin');
    expect(formatInstant(berlinMidnight, 'Europe/Berlin')).toBe('2026-12-15 00:00 Europe/Berlin');
    expect(isoInstant(berlinMidnight, 'Europe/Berlin')).toBe('2026-12-15T00:00:00+01:00');
    const summer = zonedInstant('2026-07-01', 'Europe/Berlin', 9 * 60 + 30);
    expect(formatInstant(summer, 'Europe/Berlin')).toBe('2026-07-01 09:30 Europe/Berlin');
    expect(isoInstant(summer, 'Europe/Berlin')).toBe('2026-07-01T09:30:00+02:00');
    expect(isoInstant(zonedInstant('2026-03-10', 'America/St_Johns'), 'America/St_Johns')).toBe('2026-03-10T00:00:00-02:30');
    expect(isoInstant(Date.UTC(2026, 0, 1), 'UTC')).toBe('2026-01-01T00:00:00Z');
    expect(formatInstant(overdueInstant('9999-12-31', 'UTC'), 'UTC')).toBe('10000-01-01 00:00 UTC');
  });
});
