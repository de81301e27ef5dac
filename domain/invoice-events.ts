/** The words of an invoice's history (invoice_events.type), written by the workflow, its activities and the reminder worker. */
export const INVOICE_EVENT_TYPES = [
  'created',
  'payment_applied',
  'installment_due',
  'became_overdue',
  'paid',
  'voided',
  'reopened',
  'attention_needed',
  'payment_reversed',
  'reminder_scheduled',
  'reminder_sent',
  'reminder_failed',
  'reminder_skipped',
] as const;
export type InvoiceEventType = (typeof INVOICE_EVENT_TYPES)[number];
