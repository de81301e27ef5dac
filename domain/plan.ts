/**
 * Payment plans: the installments an invoice's terms schedule. For reference only — customers pay
 * any amount on any day — but reminders follow them, and payments cover them oldest first.
 */
import { validationError } from './errors';
import { assertPositiveAmount, sumAmounts } from './money';
import { assertIsoDate, compareDates } from './dates';
import type { PaymentMethod } from './payment';

export interface InstallmentInput {
  amount: number;
  date: string;
  method?: PaymentMethod | null;
}
export interface Installment {
  amount: number;
  date: string;
  method: PaymentMethod | null;
}

/** Validates a plan against the invoice and returns it sorted by date (stable). */
export function buildPaymentPlan(
  input: readonly InstallmentInput[] | undefined | null,
  invoice: { total: number; issueDate: string; dueDate: string },
): Installment[] {
  if (!input || input.length === 0) return [{ amount: invoice.total, date: invoice.dueDate, method: null }];
  const plan = input.map((p, i) => {
    assertPositiveAmount(p.amount, `paymentPlan[${i}].amount`);
    assertIsoDate(p.date, `paymentPlan[${i}].date`);
    if (compareDates(p.date, invoice.issueDate) < 0) {
      throw validationError('plan_date_before_issue', `paymentPlan[${i}].date must be on or after the issue date`, {
        index: i,
        date: p.date,
        issueDate: invoice.issueDate,
      });
    }
    // The plan schedules the invoice's terms: nothing falls due after the invoice itself.
    if (compareDates(p.date, invoice.dueDate) > 0) {
      throw validationError('plan_date_after_due', `paymentPlan[${i}].date must be on or before the due date`, { index: i, date: p.date, dueDate: invoice.dueDate });
    }
    return { amount: p.amount, date: p.date, method: p.method ?? null };
  });
  const sum = sumAmounts(plan.map((p) => p.amount));
  if (sum !== invoice.total) {
    throw validationError('plan_total_mismatch', `payment plan installments sum to ${sum}, the invoice total is ${invoice.total}`, {
      planTotal: sum,
      total: invoice.total,
    });
  }
  return plan
    .map((p, i) => ({ p, i }))
    .sort((a, b) => compareDates(a.p.date, b.p.date) || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * How much of each installment (in plan order) is still uncovered once `paid` has been
 * applied to the plan oldest first.
 */
export function uncoveredInstallments(plan: readonly { amount: number }[], paid: number): number[] {
  let left = paid;
  return plan.map((p) => {
    const covered = Math.min(p.amount, Math.max(0, left));
    left -= covered;
    return p.amount - covered;
  });
}

/** How an instalment stands for the customer: paid by payments, settled otherwise (a credit note or a write-off), partly open, or open. */
export type InstallmentStanding = 'paid' | 'settled' | 'partly_open' | 'open';

/**
 * Each instalment's standing and open part. Payments cover the plan oldest first, then credit notes
 * and write-offs do (`settled` = paid + credited + written off): an instalment they cover is settled,
 * not paid, and what is left open of each adds up to what is due.
 */
export function installmentStandings(plan: readonly { amount: number }[], b: { paid: number; settled: number }): { standing: InstallmentStanding; open: number }[] {
  const unpaid = uncoveredInstallments(plan, b.paid);
  const open = uncoveredInstallments(plan, b.settled);
  return plan.map((p, i) => ({
    open: open[i],
    standing: unpaid[i] === 0 ? 'paid' : open[i] === 0 ? 'settled' : open[i] < p.amount ? 'partly_open' : 'open',
  }));
}

/** What the customer reads for an instalment, on the pay page and in the invoice's PDF. */
export function installmentStandingText({ standing, open }: { standing: InstallmentStanding; open: number }, money: (minor: number) => string): string {
  if (standing === 'paid') return 'Paid';
  if (standing === 'settled') return 'Nothing due';
  if (standing === 'partly_open') return `${money(open)} open`;
  return 'Open';
}
