import { formatDay, formatMoment, todayIn } from '../../web/src/lib/format';

describe('dates on the screens', () => {
  it("shows instants in the account's time zone and calendar days as they are", () => {
    expect(formatMoment('2026-12-15T23:30:00Z', 'Europe/Berlin')).toBe('Dec 16, 2026, 12:30 AM');
    expect(formatMoment('2026-12-15T23:30:00Z', 'America/New_York')).toBe('Dec 15, 2026, 6:30 PM');
    expect(formatDay('2026-12-15')).toBe('Dec 15, 2026');
  });

  it("takes today from the account's time zone, not the browser's", () => {
    const instant = Date.parse('2026-12-15T20:00:00Z');
    expect(todayIn('Pacific/Auckland', instant)).toBe('2026-12-16');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-12-15');
  });
});
