/**
 * The invoice workflow's contract: input, messages and the state it reports. Imported by the
 * workflow, by the API (to send Updates) and by the tests; only @temporalio/workflow's define* helpers.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { InvoiceStatus } from '../domain/invoice';
import type { InvoiceEventType } from '../domain/invoice-events';
import type { PaymentMethod, PaymentSource } from '../domain/payment';
import type { StoredReminderSchedule } from '../domain/reminders';
import type { ReminderTrack } from './reminders';

export const invoiceWorkflowId = (invoiceId: string) => `invoice-${invoiceId}`;

/**
 * What operators search invoices by in Temporal UI. Each must be registered on the server
 * (scripts/services.sh, docker-compose.yml); the start sets all of them.
 */
export const SearchAttr = {
  tenantId: defineSearchAttributeKey('PcTenantId', 'KEYWORD'),
  invoiceNumber: defineSearchAttributeKey('PcInvoiceNumber', 'KEYWORD'),
  status: defineSearchAttributeKey('PcInvoiceStatus', 'KEYWORD'),
  contactId: defineSearchAttributeKey('PcContactId', 'KEYWORD'),
  /** Text: matches any word of the name (`PcContactName = "Lovelace"`). */
  contactName: defineSearchAttributeKey('PcContactName', 'TEXT'),
  /** The due date's calendar day as midnight UTC, so `PcDueDate < "2026-12-15"` means "due before the 15th". */
  dueDate: defineSearchAttributeKey('PcDueDate', 'DATETIME'),
  /** Minor units still due; the workflow keeps it current (patch `amount-due-search-attribute-v1`). */
  amountDue: defineSearchAttributeKey('PcAmountDue', 'INT'),
  /** The invoice needs an operator (e.g. a write Postgres refuses for good); false at start. */
  attention: defineSearchAttributeKey('PcAttention', 'BOOL'),
};

export interface PlanWakeup {
  /** planned_payments.id */
  id: string;
  amount: number;
  date: string;
  /** Epoch ms at which the installment's date begins in the tenant's time zone. */
  at: number;
  /** `at` for people reading the input: ISO 8601 in the tenant's zone (absent in runs started before it). */
  atIso?: string;
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
  /** Set once Postgres refused part of a change (patch `write-refusals-v1`): `payment:<id>` / `event:<dedupe key>` refused. */
  attention?: { since: number; refused: string[] };
  /** Sum of credit notes and the written-off amount (absent before they existed: 0). */
  credited?: number;
  writtenOff?: number;
  /** Voided payment id → amount taken back off the invoice. */
  voidedPayments?: Record<string, number>;
  /** Reversals Stripe later reported failed: their amount was restored once. */
  failedReversals?: string[];
  /** Write-off and credit note ids already applied (dedupe of their Updates across runs). */
  adjustments?: string[];
}

/**
 * The invoice workflow's patches that every run started by current code has in effect. A new run is
 * started with `patchLevel: PATCH_LEVEL` and takes their new branches without `patched()` (no marker,
 * no TemporalChangeVersion upsert per patch); a patch added later goes through `patched()` until a
 * new level includes it.
 */
export const PATCH_LEVEL = 1;
export type PatchOfLevel1 =
  | 'reminders-v1'
  | 'reminders-resume-v1'
  | 'reminders-local-v1'
  | 'steady-timer-v1'
  | 'amount-due-search-attribute-v1'
  | 'write-refusals-v1'
  | 'persist-local-v1';

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
  /** `overdueAt` for people reading the input: ISO 8601 in the tenant's zone (absent in runs started before it). */
  overdueAtIso?: string;
  /** The tenant's IANA time zone, for the instants the workflow shows operators (absent in runs started before it: UTC). */
  timeZone?: string;
  plan: PlanWakeup[];
  /**
   * The reminder schedule stored with the invoice at creation (absent in runs started before it and
   * in the orphan sweep's starts: the first task fetches it).
   */
  reminders?: StoredReminderSchedule;
  /** PATCH_LEVEL of the code that started the run (absent before it: every patch is asked with `patched()`). */
  patchLevel?: number;
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
  /** Credit notes and write-off (absent in snapshots from before they existed: 0). */
  credited?: number;
  writtenOff?: number;
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
  /** The payment this one is a part of (one payment allocated across several invoices). */
  parentId?: string | null;
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

/** A payment the workflow took back off the invoice (POST /v1/payments/{id}/void). */
export interface PaymentVoidWrite {
  id: string;
  reason: string;
  voidedBy: string | null;
  voidedAt: number;
}

export interface InvoiceEventWrite {
  type: InvoiceEventType;
  dedupeKey: string;
  data: Record<string, unknown>;
  occurredAt: number;
}

/** A write of a batch that Postgres refused for good (its data): what it was and why. */
export interface RefusedWrite {
  kind: 'payment' | 'event' | 'batch' | 'credit';
  /** The payment id, the event's dedupe key, the batch's version, or the credit entry's ref. */
  id: string;
  reason: string;
}

/** One batch of accepted changes, written in one transaction by the `persistInvoice` activity. */
export interface PersistInvoiceArgs {
  tenantId: string;
  invoiceId: string;
  snapshot: InvoiceSnapshot;
  payments: PaymentWrite[];
  events: InvoiceEventWrite[];
  /** Absent in batches scheduled before payments could be voided. */
  paymentVoids?: PaymentVoidWrite[];
  /**
   * The version the workflow knows is stored (set by the local activity, persist-local-v1). The write
   * applies only while the row is still there; a row ahead of it holds a write the workflow did not
   * record (a workflow task that failed after its local activity wrote), and the write reports
   * `storedAhead` instead. Absent in regular activity batches: the row then only moves forward.
   */
  basis?: number;
  /** Sent after `storedAhead`: the workflow's state wins; rows it never accepted go (see activities/invoice-writes.ts). */
  reconcile?: ReconcileWrite;
  /**
   * Workflow time (ms) of the task that sends a local activity batch. The row keeps the fence of its
   * last such write; a batch with a lower one comes from a task the server already gave to a newer
   * attempt and writes nothing (`superseded`).
   */
  fence?: number;
}

/** What the workflow has accepted, for a write that found the row ahead of it. */
export interface ReconcileWrite {
  /** The stored version found ahead of `basis`. */
  storedVersion: number;
  /** Every payment id the workflow applied to this invoice (its `applied` keys). */
  paymentIds: string[];
  /**
   * The payments it voided, the adjustments it made and whether it voided the invoice: any other
   * void or adjustment stored is undone. Absent from workflow code before them (left as they are).
   */
  voidedPaymentIds?: string[];
  adjustmentIds?: string[];
  invoiceVoided?: boolean;
}

/**
 * Dedupe keys of the history events a change writes, one per change: the workflow writes them and a
 * reconciling write finds by them what the workflow never recorded (activities/invoice-writes.ts).
 */
export const eventKey = {
  payment: (paymentId: string) => `payment:${paymentId}`,
  paymentVoided: (paymentId: string) => `payment-voided:${paymentId}`,
  writtenOff: (adjustmentId: string) => `written-off:${adjustmentId}`,
  creditNote: (adjustmentId: string) => `credit-note:${adjustmentId}`,
  voided: 'voided',
} as const;

// ---- messages ------------------------------------------------------------------------------

export const applyPaymentUpdate = defineUpdate<ApplyPaymentResult, [PaymentInput]>('applyPayment');
export const voidInvoiceUpdate = defineUpdate<InvoiceSnapshot, [{ reason?: string | null }]>('voidInvoice');

export interface VoidPaymentInput {
  paymentId: string;
  /** The amount the payment put on this invoice (its row, which the workflow wrote). */
  amount: number;
  reason: string;
  voidedBy: string | null;
}
/** Takes a manual payment back off the invoice; the same payment twice is a no-op. */
export const voidPaymentUpdate = defineUpdate<InvoiceSnapshot & { duplicate: boolean }, [VoidPaymentInput]>('voidPayment');

export interface AdjustmentInput {
  /** Dedupes the adjustment across retries (derived from the request's Idempotency-Key). */
  adjustmentId: string;
  kind: 'write_off' | 'credit_note';
  /** A credit note's amount; a write-off takes the whole remaining due. */
  amount?: number;
  reason: string;
  by: string | null;
}
/** A write-off or a credit note: closes or lowers what is due without money. */
export const adjustInvoiceUpdate = defineUpdate<InvoiceSnapshot & { amount: number; duplicate: boolean }, [AdjustmentInput]>('adjustInvoice');
/** Stripe reported a refund failed or canceled: its reversal is undone once. */
export const reversalFailedSignal = defineSignal<[{ reversalId: string; reason: string | null }]>('reversalFailed');
/** Payments that arrive asynchronously (Stripe): never rejected; money beyond the due goes to the contact. */
export const paymentReceivedSignal = defineSignal<[PaymentInput]>('paymentReceived');
export const paymentReversedSignal = defineSignal<[ReversalInput]>('paymentReversed');
export const getInvoiceStateQuery = defineQuery<InvoiceSnapshot>('getState');

// ---- money movements (workflows/money-movement.ts) -----------------------------------------

export const moneyMovementWorkflowId = (movementId: string) => `movement-${movementId}`;

/** The money being moved: a new payment (allocated) or the contact's credit. */
export interface MovementPayment {
  amount: number;
  date: string;
  method: PaymentMethod;
  reference: string | null;
}

export interface MoneyMovementInput {
  tenantId: string;
  movementId: string;
  contactId: string;
  currency: string;
  source: { kind: 'payment'; payment: MovementPayment } | { kind: 'credit'; date: string };
  /** One per invoice, in order; payment ids decided by the API (stable across retries). */
  parts: { invoiceId: string; paymentId: string; amount: number }[];
  /** A payment's money beyond its allocations: the contact's credit. */
  remainder: { paymentId: string; amount: number } | null;
}

export interface MoneyMovementResult {
  movementId: string;
  parts: MoneyMovementInput['parts'];
  remainder: number;
}

