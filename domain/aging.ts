/**
 * Receivables aging: what is unpaid, split by how many days past its due date it is on the tenant's
 * local "today". Due today or later is `current`; a due date yesterday is 1 day past due.
 */
import { addDays } from './dates';

export const AGING_BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** The earliest due date each bucket holds on `today` (over90 holds everything before days61To90's). */
export interface AgingCutoffs {
  current: string;
  days1To30: string;
  days31To60: string;
  days61To90: string;
}
export function agingCutoffs(today: string): AgingCutoffs {
  return { current: today, days1To30: addDays(today, -30), days31To60: addDays(today, -60), days61To90: addDays(today, -90) };
}
