/**
 * A contact's credit: money of theirs on no invoice (an overpayment's excess, a payment recorded
 * without an invoice, an allocation's remainder), per currency. The authority is the Postgres
 * ledger (db/repositories/contact-credit.ts); applying it to an invoice is a money movement saga.
 */
import { Contact } from '../db';
import { creditBalances, creditEntries, type CreditBalance, type CreditEntry } from '../db/repositories/contact-credit';
import { dateIn } from '../domain/dates';
import { notFound } from '../domain/errors';
import { assertPositiveAmount } from '../domain/money';
import type { ServiceDeps, TenantContext } from './context';
import { getInvoice } from './invoices';
import { applyCreditToInvoice } from './money-movements';
import { getPaymentView, type PaymentView } from './payments';

const RECENT_ENTRIES = 50;

export async function getContactCredit(deps: ServiceDeps, tenant: TenantContext, contactId: string): Promise<{ contactId: string; balances: CreditBalance[]; entries: CreditEntry[] }> {
  const contact = await deps.em.findOne(Contact, { id: contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', contactId);
  const [balances, entries] = await Promise.all([creditBalances(deps.em, tenant.id, contactId), creditEntries(deps.em, tenant.id, contactId, RECENT_ENTRIES)]);
  return { contactId, balances: balances.filter((b) => b.balance > 0), entries };
}

/** Applies `amount` of the contact's credit to the invoice; answers the payment it became on the invoice. */
export async function applyCredit(deps: ServiceDeps, tenant: TenantContext, invoiceId: string, amount: number, movementId: string): Promise<PaymentView> {
  assertPositiveAmount(amount);
  const invoice = await getInvoice(deps, tenant, invoiceId);
  const result = await applyCreditToInvoice(deps, tenant, movementId, invoice, amount, dateIn(Date.now(), tenant.timeZone));
  return getPaymentView(deps, tenant, result.parts[0].paymentId);
}
