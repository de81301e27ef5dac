/**
 * The invoice workflow's contract: input, messages and the state it reports. Imported by the
 * workflow, by the API (to send Updates) and by the tests; only @temporalio/workflow's define* helpers.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { InvoiceStatus } from '../domain/invoice';
import type { InvoiceEventType } from '../domain/invoice-events';
import type { PaymentMethod, PaymentSource } from '../domain/payment';
import type { ReminderTrack } from './reminders';

export const invoiceWorkflowId = (invoiceId: string) => `invoice-${invoiceId}`;

export const SearchAttr = {
  tenantId: defineSearchAttributeKey('PcTenantId', 'KEYWORD'),
  invoiceNumber: defineSearchAttributeKey('PcInvoiceNumber', 'KEYWORD'),
  status: defineSearchAttributeKey('PcInvoiceStatus', 'KEYWORD'),
  contactId: defineSearchAttributeKey('PcContactId', 'KEYWORD'),
};

export interface PlanWakeup {
  /** planned_payments.id */
  id: string;
  amount: number;
  date: string;
  /** Epoch ms at which the installment's date begins in the tenant's time zone. */
  at: number;
}

/** State that survives continue-as-new. */
export interface InvoiceCarriedState {
  paid: number;
  pastDue: boolean;
  voided: boolean;
  version: number;
  /** payment id → state version at which it was applied (dedupe + read-your-writes). */
  applied: Record<string, number>;
  /** reversal (refund/dispute) id → amount reversed. */
  reversed: Record<string, number>;
  firedInstallments: string[];
  paidAt: number | null;
  /** Materialized reminder schedule and the keys already handled (absent: not fetched yet / pre-reminders run). */
  reminders?: ReminderTrack;
}

export interface InvoiceWorkflowInput {
  invoiceId: string;
  tenantId: string;
  contactId: string;
  number: string;
  currency: string;
  total: number;
  dueDate: string;
  /** Epoch ms at which the due date has passed in the tenant's time zone. */
  overdueAt: number;
  plan: PlanWakeup[];
  carried?: InvoiceCarriedState;
  /** Continue-as-new once the history has this many events (tests lower it). */
  maxHistoryEvents?: number;
}

export interface InvoiceSnapshot {
  invoiceId: string;
  total: number;
  paid: number;
  due: number;
  status: InvoiceStatus;
  version: number;
}

export interface PaymentInput {
  paymentId: string;
  contactId: string;
  amount: number;
  currency: string;
  date: string;
  method: PaymentMethod;
  reference: string | null;
  source: PaymentSource;
}

export interface ApplyPaymentResult extends InvoiceSnapshot {
  paymentId: string;
  /** True when this payment id had already been applied: nothing changed. */
  duplicate: boolean;
  /** Workflow time the payment was accepted (its row's createdAt); null for a duplicate. */
  acceptedAt: number | null;
}

export interface ReversalInput {
  /** Refund or dispute id: reversals are deduplicated by it. */
  reversalId: string;
  paymentId: string | null;
  amount: number;
  kind: 'refund' | 'dispute';
  reference: string | null;
}

// ---- what the workflow hands its persistence activity ---------------------------------------

/** A payment row as the workflow decided it: applied to the invoice, or unapplied (invoiceId null). */
export interface PaymentWrite extends Omit<PaymentInput, 'paymentId'> {
  id: string;
  invoiceId: string | null;
  /** Workflow time of acceptance, stored as the row's createdAt (absent in batches scheduled before it existed). */
  acceptedAt?: number;
}

export interface InvoiceEventWrite {
  type: InvoiceEventType;
  dedupeKey: string;
  data: Record<string, unknown>;
  occurredAt: number;
}

/** One batch of accepted changes, written in one transaction by the `persistInvoice` activity. */
export interface PersistInvoiceArgs {
  tenantId: string;
  invoiceId: string;
  snapshot: InvoiceSnapshot;
  payments: PaymentWrite[];
  events: InvoiceEventWrite[];
}

// ---- messages ------------------------------------------------------------------------------

export const applyPaymentUpdate = defineUpdate<ApplyPaymentResult, [PaymentInput]>('applyPayment');
export const voidInvoiceUpdate = defineUpdate<InvoiceSnapshot, [{ reason?: string | null }]>('voidInvoice');
/** Payments that arrive asynchronously (Stripe): never rejected; money beyond the due goes to the contact. */
export const paymentReceivedSignal = defineSignal<[PaymentInput]>('paymentReceived');
export const paymentReversedSignal = defineSignal<[ReversalInput]>('paymentReversed');
export const getInvoiceStateQuery = defineQuery<InvoiceSnapshot>('getState');
