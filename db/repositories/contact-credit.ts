/**
 * contact_credit_entries / contact_credit_balances: the contact's credit, per currency. Every
 * movement is one statement that inserts its entry (once per `ref`) and moves the balance row in
 * the same transaction; the balance's CHECK (>= 0) refuses a debit the credit cannot cover, so two
 * debits racing for the same credit serialize on the balance row and the second is refused.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { conflict } from '../../domain/errors';

export const CREDIT_ENTRY_KINDS = ['unapplied_payment', 'applied_to_invoice', 'application_released', 'credit_returned', 'payment_voided'] as const;
export type CreditEntryKind = (typeof CREDIT_ENTRY_KINDS)[number];

export interface CreditMovement {
  tenantId: string;
  contactId: string;
  currency: string;
  /** Signed minor units: + adds credit, − spends it. */
  amount: number;
  kind: CreditEntryKind;
  /** What makes this movement happen once (e.g. `payment:<id>`, `apply:<movement id>`). */
  ref: string;
  paymentId?: string | null;
  invoiceId?: string | null;
}

const BALANCE_CHECK = 'contact_credit_balance_not_negative';
/** The balance's CHECK refused the statement (the credit does not cover it). */
function isBalanceRefusal(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e.code === '23514' && (e.constraint === BALANCE_CHECK || e.message?.includes(BALANCE_CHECK) === true);
}

export const insufficientCreditError = (currency: string, amount: number, balance?: number) =>
  balance === undefined
    ? conflict('insufficient_credit', `the contact's ${currency} credit does not cover ${amount}`, { currency, amount })
    : conflict('insufficient_credit', `the contact's ${currency} credit of ${balance} does not cover ${amount}`, { currency, amount, available: balance });

/** Applies one movement (a repeat of its `ref` changes nothing); true when it was new. Throws `insufficient_credit`. */
export async function moveCredit(em: EntityManager, m: CreditMovement): Promise<boolean> {
  try {
    // The balance row exists first (at 0), so the movement below is a plain UPDATE that the CHECK guards
    // (an INSERT … ON CONFLICT would check the negative row it proposes before seeing the conflict).
    await em.execute(`insert into contact_credit_balances (tenant_id, contact_id, currency, balance, updated_at) values (?, ?, ?, 0, now()) on conflict do nothing`, [
      m.tenantId,
      m.contactId,
      m.currency,
    ]);
    const rows = await em.execute<{ inserted: boolean }[]>(
      `with entry as (
         insert into contact_credit_entries (id, tenant_id, contact_id, currency, amount, kind, ref, payment_id, invoice_id, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, now())
         on conflict (tenant_id, ref) do nothing
         returning tenant_id, contact_id, currency, amount),
       moved as (
         update contact_credit_balances b set balance = b.balance + entry.amount, updated_at = now()
           from entry where b.tenant_id = entry.tenant_id and b.contact_id = entry.contact_id and b.currency = entry.currency
         returning 1)
       select exists (select 1 from moved) as inserted`,
      [uuidv7(), m.tenantId, m.contactId, m.currency, m.amount, m.kind, m.ref, m.paymentId ?? null, m.invoiceId ?? null],
    );
    return rows[0].inserted;
  } catch (err) {
    if (isBalanceRefusal(err)) {
      // The statement failed (inside a transaction, that transaction is done): no further query here.
      throw insufficientCreditError(m.currency, -m.amount);
    }
    throw err;
  }
}

/**
 * Takes back the movement `ref` (entry and balance in one statement), for a write that never took
 * effect; true when there was one. Throws `insufficient_credit` when the credit is already spent.
 */
export async function takeBackCredit(em: EntityManager, tenantId: string, ref: string): Promise<boolean> {
  try {
    const rows = await em.execute<{ taken: boolean }[]>(
      `with entry as (delete from contact_credit_entries where tenant_id = ? and ref = ? returning tenant_id, contact_id, currency, amount),
       moved as (
         update contact_credit_balances b set balance = b.balance - entry.amount, updated_at = now()
           from entry where b.tenant_id = entry.tenant_id and b.contact_id = entry.contact_id and b.currency = entry.currency
         returning 1)
       select exists (select 1 from moved) as taken`,
      [tenantId, ref],
    );
    return rows[0].taken;
  } catch (err) {
    if (isBalanceRefusal(err)) throw conflict('insufficient_credit', `the credit of movement ${ref} is already spent`, { ref });
    throw err;
  }
}

export interface CreditBalance {
  currency: string;
  balance: number;
}

export async function creditBalances(em: EntityManager, tenantId: string, contactId: string, currency?: string): Promise<CreditBalance[]> {
  const rows = await em.execute<{ currency: string; balance: string }[]>(
    `select currency, balance from contact_credit_balances where tenant_id = ? and contact_id = ? ${currency ? 'and currency = ?' : ''} order by currency`,
    currency ? [tenantId, contactId, currency] : [tenantId, contactId],
  );
  return rows.map((r) => ({ currency: r.currency, balance: Number(r.balance) }));
}

export interface CreditEntry {
  id: string;
  currency: string;
  amount: number;
  kind: CreditEntryKind;
  paymentId: string | null;
  invoiceId: string | null;
  createdAt: Date;
}

/** The newest movements of a contact's credit. */
export async function creditEntries(em: EntityManager, tenantId: string, contactId: string, limit: number): Promise<CreditEntry[]> {
  const rows = await em.execute<{ id: string; currency: string; amount: string; kind: CreditEntryKind; payment_id: string | null; invoice_id: string | null; created_at: Date }[]>(
    `select id, currency, amount, kind, payment_id, invoice_id, created_at from contact_credit_entries
      where tenant_id = ? and contact_id = ? order by created_at desc, id desc limit ?`,
    [tenantId, contactId, limit],
  );
  return rows.map((r) => ({ id: r.id, currency: r.currency, amount: Number(r.amount), kind: r.kind, paymentId: r.payment_id, invoiceId: r.invoice_id, createdAt: new Date(r.created_at) }));
}
