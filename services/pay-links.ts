/**
 * The customer's link to an invoice's pay page (lib/pay-links.ts): shown on every invoice answer as
 * customerUrl, found again by its token's hash, and rotated on request — the old link then finds nothing.
 */
import { InvoicePayLink, type Invoice } from '../db';
import { payLinkRotations } from '../db/repositories/pay-links';
import { DomainError } from '../domain/errors';
import { customerUrl, payLinkHash } from '../lib/pay-links';
import { tokenHash } from '../lib/tokens';
import type { ServiceDeps, TenantContext } from './context';
import { getInvoice } from './invoices';

/** A new invoice's first link: the token hash its row keeps (written with the invoice) and its customerUrl. */
export function firstPayLink(deps: Pick<ServiceDeps, 'config'>, invoiceId: string): { tokenHash: string; customerUrl: string } {
  return { tokenHash: payLinkHash(deps.config, invoiceId, 0), customerUrl: customerUrl(deps.config, invoiceId, 0) };
}

/** The current customerUrl of each invoice. */
export async function customerUrls(deps: ServiceDeps, tenant: Pick<TenantContext, 'id'>, invoiceIds: string[]): Promise<Map<string, string>> {
  const rotations = await payLinkRotations(deps.em, tenant.id, invoiceIds, (id) => payLinkHash(deps.config, id, 0));
  return new Map(invoiceIds.map((id) => [id, customerUrl(deps.config, id, rotations.get(id)!)]));
}

/** A new link for the invoice; the previous one stops working at once. */
export async function rotateCustomerLink(deps: ServiceDeps, tenant: TenantContext, invoiceId: string): Promise<string> {
  await getInvoice(deps, tenant, invoiceId);
  let [rotation] = (await payLinkRotations(deps.em, tenant.id, [invoiceId], (id) => payLinkHash(deps.config, id, 0))).values();
  // Compare-and-set: of two rotations at once, each gets its own number (the loser reads and goes again).
  while ((await deps.em.nativeUpdate(InvoicePayLink, { invoice: invoiceId, rotation }, { rotation: rotation + 1, tokenHash: payLinkHash(deps.config, invoiceId, rotation + 1), updatedAt: new Date() })) === 0) {
    ({ rotation } = await deps.em.findOneOrFail(InvoicePayLink, { invoice: invoiceId }, { refresh: true }));
  }
  return customerUrl(deps.config, invoiceId, rotation + 1);
}

/** The invoice a pay-page token opens, with its contact and tenant; a stale or unknown token is a 404. */
export async function invoiceByPayToken(deps: ServiceDeps, token: string): Promise<Invoice> {
  const link = await deps.em.findOne(InvoicePayLink, { tokenHash: tokenHash(token) }, { populate: ['invoice', 'invoice.contact', 'invoice.tenant'] });
  if (!link) throw new DomainError('not_found', 'not_found', 'this payment link does not exist or was replaced by a newer one');
  return link.invoice;
}
