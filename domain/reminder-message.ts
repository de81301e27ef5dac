/** The words of a reminder: subject and body for an invoice's due amount, rendered the same for every channel. */
import { addDays } from './dates';
import { formatMoney } from './money';
import type { ReminderKind, ReminderStatus } from './reminders';

/** What rendering needs to know about a reminder and its invoice. */
export interface ReminderView {
  id: string;
  tenantId: string;
  invoiceId: string;
  key: string;
  kind: ReminderKind;
  offset: number;
  /** Local date the reminder goes out on. */
  date: string;
  status: ReminderStatus;
  invoiceNumber: string;
  invoiceStatus: string;
  currency: string;
  dueDate: string;
  contactName: string;
  contactEmail: string | null;
  /** The invoice's live pay-link number; null while it has none yet. */
  payLinkRotation?: number | null;
}

/** A rendered reminder as every delivery channel receives it. */
export interface ReminderMessage {
  reminderId: string;
  tenantId: string;
  invoiceId: string;
  /** Contact e-mail; null when the contact has none (the outbox still keeps the message). */
  recipient: string | null;
  from: string;
  subject: string;
  body: string;
  link: string;
  /** The same message as HTML (e-mail); channels that keep text only ignore it. */
  html?: string;
  /** Files for channels that send them (SMTP: the invoice PDF). */
  attachments?: ReminderAttachment[];
}

export interface ReminderAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface ReminderSender {
  from: string;
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** A tenant's own subject and body, already rendered (services/reminder-emails.ts). */
export interface CustomReminderText {
  subject: string;
  body: string;
}

/**
 * `payUrl`: the invoice's pay page (its customerUrl), where the customer sees the balance and pays.
 * `custom`: the tenant's templates rendered; without them the built-in text below.
 */
export function renderReminder(r: ReminderView, amount: number, payUrl: string, sender: ReminderSender, custom?: CustomReminderText): ReminderMessage {
  if (custom) return { reminderId: r.id, tenantId: r.tenantId, invoiceId: r.invoiceId, recipient: r.contactEmail, from: sender.from, subject: custom.subject, body: custom.body, link: payUrl };
  const money = formatMoney(amount, r.currency);
  const link = payUrl;
  const n = r.invoiceNumber;
  let subject: string;
  let lead: string;
  if (r.kind === 'dunning') {
    subject = `Overdue: invoice ${n} — ${money} past due`;
    lead = `invoice ${n} was due on ${r.dueDate} and ${money} is still outstanding (${days(r.offset)} overdue).`;
  } else if (r.offset < 0) {
    subject = `Upcoming payment: ${money} due ${addDays(r.date, -r.offset)} on invoice ${n}`;
    lead = `a payment of ${money} on invoice ${n} is due in ${days(-r.offset)}.`;
  } else if (r.offset === 0) {
    subject = `Payment due today: ${money} on invoice ${n}`;
    lead = `a payment of ${money} on invoice ${n} is due today.`;
  } else {
    subject = `Payment reminder: ${money} on invoice ${n}`;
    lead = `a payment of ${money} on invoice ${n} was due ${days(r.offset)} ago.`;
  }
  const body = `Hello ${r.contactName},\n\nThis is a reminder that ${lead}\n\nYou can view and pay the invoice here: ${link}\n\nIf you have already paid, please disregard this message.`;
  return { reminderId: r.id, tenantId: r.tenantId, invoiceId: r.invoiceId, recipient: r.contactEmail, from: sender.from, subject, body, link };
}

/** The variables a reminder template may use, with what each holds (the API documents this list). */
export const REMINDER_TEMPLATE_VARIABLES = {
  'invoice.number': 'the invoice number',
  'invoice.total': 'the invoice total, formatted ($1,234.56)',
  'invoice.paid': 'what has been paid on the invoice, formatted',
  'invoice.due': 'what is still due on the whole invoice, formatted',
  'invoice.currency': 'ISO 4217 code',
  'invoice.issue_date': 'issue date, YYYY-MM-DD',
  'invoice.due_date': 'due date of the invoice, YYYY-MM-DD',
  amount_due: 'the amount this reminder is about (an instalment, or what is overdue), formatted',
  due_date: 'when that amount is or was due (the instalment date, or the invoice due date for dunning), YYYY-MM-DD',
  pay_url: "the invoice's pay page, where the customer sees the balance and pays",
  'contact.name': "the customer's name",
  'contact.email': "the customer's e-mail (empty when none)",
  'company.name': 'your legal name, else the account name',
  'company.address': 'your address (empty when not set)',
  'company.tax_id': 'your tax id (empty when not set)',
  payment_instructions: 'how to pay without a card (empty when not set)',
  'reminder.kind': '"installment" (before or on a payment date) or "dunning" (after the due date)',
  'reminder.overdue': 'true when the amount is past due (for {{#if reminder.overdue}}…{{/if}})',
  'reminder.days_overdue': 'days past due (0 when not overdue)',
  'reminder.days_until_due': 'days until the amount is due (0 on the day and after)',
} as const;
export type ReminderTemplateVariable = keyof typeof REMINDER_TEMPLATE_VARIABLES;
export const REMINDER_TEMPLATE_VARIABLE_NAMES = Object.keys(REMINDER_TEMPLATE_VARIABLES) as ReminderTemplateVariable[];

/** What the templates know beyond the reminder: the invoice's totals and the seller. */
export interface ReminderContext {
  issueDate: string;
  total: number;
  paid: number;
  due: number;
  companyName: string;
  companyAddress: string | null;
  companyTaxId: string | null;
  paymentInstructions: string | null;
}

/** The values of REMINDER_TEMPLATE_VARIABLES for one reminder (nested the way the names are). */
export function reminderTemplateValues(r: ReminderView, amount: number, payUrl: string, c: ReminderContext) {
  const money = (a: number) => formatMoney(a, r.currency);
  const dunning = r.kind === 'dunning';
  // An instalment reminder goes out `offset` days from its payment date; dunning counts from the due date.
  const dueDate = dunning ? r.dueDate : addDays(r.date, -r.offset);
  const overdue = dunning || r.offset > 0;
  return {
    invoice: { number: r.invoiceNumber, total: money(c.total), paid: money(c.paid), due: money(c.due), currency: r.currency, issue_date: c.issueDate, due_date: r.dueDate },
    amount_due: money(amount),
    due_date: dueDate,
    pay_url: payUrl,
    contact: { name: r.contactName, email: r.contactEmail ?? '' },
    company: { name: c.companyName, address: c.companyAddress ?? '', tax_id: c.companyTaxId ?? '' },
    payment_instructions: c.paymentInstructions ?? '',
    reminder: { kind: r.kind, overdue, days_overdue: String(overdue ? Math.abs(r.offset) : 0), days_until_due: String(r.offset < 0 && !dunning ? -r.offset : 0) },
  };
}
