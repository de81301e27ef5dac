/**
 * The payment plan builder's rules: split a total into N instalments between the issue and due
 * dates, then check an edited plan against the invoice the way the API will (the API stays the
 * judge: domain/plan.ts).
 */
import { addDays, compareDates, isIsoDate, MS_PER_DAY } from '../../../domain/dates';
import { amountInputText, formatAmount, parseAmount } from './money';

export const MAX_INSTALMENTS = 120;

/** One row of the builder as typed: the amount is major-unit text, as in its input. */
export interface DraftInstalment {
  date: string;
  amount: string;
}

/**
 * `total` split into `count` instalments: equal shares in minor units, the remainder on the last
 * one, dated evenly from the issue date to the due date (the last on the due date).
 */
export function splitPlan(total: number, count: number, issueDate: string, dueDate: string): { date: string; amount: number }[] {
  const n = Math.max(1, Math.min(MAX_INSTALMENTS, Math.floor(count)));
  const share = Math.floor(total / n);
  const span = isIsoDate(issueDate) && isIsoDate(dueDate) && compareDates(dueDate, issueDate) >= 0 ? daysBetween(issueDate, dueDate) : 0;
  const start = span > 0 ? issueDate : dueDate;
  return Array.from({ length: n }, (_, i) => ({
    date: isIsoDate(start) ? addDays(start, Math.round((span * (i + 1)) / n)) : dueDate,
    amount: i === n - 1 ? total - share * (n - 1) : share,
  }));
}

/** The builder's rows for a split, amounts as input text. */
export function draftPlan(total: number, count: number, issueDate: string, dueDate: string, currency: string): DraftInstalment[] {
  return splitPlan(total, count, issueDate, dueDate).map((p) => ({ date: p.date, amount: amountInputText(p.amount, currency) }));
}

export interface PlanCheck {
  /** The instalments in minor units, when every row parses. */
  installments: { date: string; amount: number }[] | null;
  /** Per row: the message for its amount and for its date, if any. */
  rows: { amount?: string; date?: string }[];
  /** About the plan as a whole (the sum), if anything. */
  summary?: string;
  sum: number;
}

/** What is wrong with an edited plan, row by row and as a whole. */
export function checkPlan(rows: readonly DraftInstalment[], invoice: { total: number; currency: string; issueDate: string; dueDate: string }): PlanCheck {
  const parsed = rows.map((r) => parseAmount(r.amount, invoice.currency));
  const messages = rows.map((r, i) => {
    const p = parsed[i];
    const m: { amount?: string; date?: string } = {};
    if (!p.ok) m.amount = p.message;
    if (!isIsoDate(r.date)) m.date = 'Enter a date';
    else if (isIsoDate(invoice.issueDate) && compareDates(r.date, invoice.issueDate) < 0) m.date = 'On or after the invoice date';
    else if (isIsoDate(invoice.dueDate) && compareDates(r.date, invoice.dueDate) > 0) m.date = 'On or before the due date';
    return m;
  });
  const sum = parsed.reduce((s, p) => s + (p.ok ? p.minor : 0), 0);
  const allParsed = parsed.every((p) => p.ok);
  let summary: string | undefined;
  if (rows.length === 0) summary = 'Add at least one instalment';
  else if (allParsed && sum !== invoice.total) {
    const diff = invoice.total - sum;
    summary = `Instalments add up to ${formatAmount(sum, invoice.currency)}, the invoice total is ${formatAmount(invoice.total, invoice.currency)}: ${formatAmount(Math.abs(diff), invoice.currency)} ${diff > 0 ? 'still to plan' : 'too much'}`;
  }
  const valid = allParsed && !summary && messages.every((m) => !m.amount && !m.date);
  return {
    installments: valid ? rows.map((r, i) => ({ date: r.date, amount: (parsed[i] as { minor: number }).minor })) : null,
    rows: messages,
    summary,
    sum,
  };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}
