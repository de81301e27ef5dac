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
}

export interface ReminderSender {
  from: string;
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** `payUrl`: the invoice's pay page (its customerUrl), where the customer sees the balance and pays. */
export function renderReminder(r: ReminderView, amount: number, payUrl: string, sender: ReminderSender): ReminderMessage {
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
