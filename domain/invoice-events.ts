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
  /** A reversal Stripe reported failed (a failed refund): its amount is owed to the invoice again. */
  'reversal_failed',
  /** A manual payment taken back (typed against the wrong invoice, a bounced check). */
  'payment_voided',
  /** The remaining due closed as uncollectable; shown apart from what was paid. */
  'written_off',
  /** A credit note lowered the invoice's total. */
  'credit_note_issued',
  'reminder_scheduled',
  'reminder_sent',
  'reminder_failed',
  'reminder_skipped',
] as const;
export type InvoiceEventType = (typeof INVOICE_EVENT_TYPES)[number];
