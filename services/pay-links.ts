/**
 * The customer's link to an invoice's pay page (`PUBLIC_BASE_URL/i/<token>`). The token is derived
 * (lib/tokens.ts payLinkToken), so the API can show it again without storing it; the database holds
 * only its hash, for lookup. Rotating the link makes a new token and the old one finds nothing.
 */
import { InvoicePayLink, type Invoice } from '../db';
import { DomainError } from '../domain/errors';
import { payLinkToken, tokenHash } from '../lib/tokens';
import type { ServiceDeps, TenantContext } from './context';
import { getInvoice } from './invoices';

const tokenOf = (deps: ServiceDeps, invoiceId: string, rotation: number) => payLinkToken(deps.config.PAY_LINK_SECRET, invoiceId, rotation);

/** The pay-page URL of a token. */
export const payPageUrl = (deps: ServiceDeps, token: string) => `${deps.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/i/${token}`;

const firstLinkRow = (deps: ServiceDeps, tenantId: string, invoiceId: string) => ({
  invoice: invoiceId,
  tenant: tenantId,
  rotation: 0,
  tokenHash: tokenHash(tokenOf(deps, invoiceId, 0)),
  updatedAt: new Date(),
});

/** A new invoice's first link, created in `em` (the invoice's own transaction); returns its customerUrl. */
export function createFirstPayLink(deps: ServiceDeps, em: ServiceDeps['em'], tenantId: string, invoiceId: string): string {
  em.create(InvoicePayLink, firstLinkRow(deps, tenantId, invoiceId));
  return payPageUrl(deps, tokenOf(deps, invoiceId, 0));
}

/**
 * The current customerUrl of each invoice. An invoice from before pay links existed gets its first
 * link here (only the API knows the secret, so no migration could): a URL is never shown unfindable.
 */
export async function customerUrls(deps: ServiceDeps, tenant: Pick<TenantContext, 'id'>, invoiceIds: string[]): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  if (invoiceIds.length === 0) return urls;
  const rows = await deps.em.find(InvoicePayLink, { tenant: tenant.id, invoice: { $in: invoiceIds } }, { fields: ['invoice', 'rotation'] });
  const rotations = new Map(rows.map((r) => [r.invoice.id, r.rotation]));
  const missing = invoiceIds.filter((id) => !rotations.has(id));
  if (missing.length > 0) {
    await deps.em.createQueryBuilder(InvoicePayLink).insert(missing.map((id) => firstLinkRow(deps, tenant.id, id))).onConflict('invoice').ignore().execute();
    // A concurrent rotation may have won the insert: read what is there now.
    for (const r of await deps.em.find(InvoicePayLink, { invoice: { $in: missing } }, { fields: ['invoice', 'rotation'], refresh: true })) rotations.set(r.invoice.id, r.rotation);
  }
  for (const id of invoiceIds) urls.set(id, payPageUrl(deps, tokenOf(deps, id, rotations.get(id)!)));
  return urls;
}

/** A new link for the invoice; the previous one stops working at once. */
export async function rotateCustomerLink(deps: ServiceDeps, tenant: TenantContext, invoiceId: string): Promise<string> {
  await getInvoice(deps, tenant, invoiceId);
  const { em } = deps;
  await customerUrls(deps, tenant, [invoiceId]); // the invoice has a link row to bump
  for (;;) {
    const { rotation } = await em.findOneOrFail(InvoicePayLink, { invoice: invoiceId }, { refresh: true });
    const next = rotation + 1;
    const token = tokenOf(deps, invoiceId, next);
    // Compare-and-set: of two rotations at once, each gets its own number.
    const moved = await em.nativeUpdate(InvoicePayLink, { invoice: invoiceId, rotation }, { rotation: next, tokenHash: tokenHash(token), updatedAt: new Date() });
    if (moved === 1) return payPageUrl(deps, token);
  }
}

/** The invoice a pay-page token opens, with its contact and tenant; a stale or unknown token is a 404. */
export async function invoiceByPayToken(deps: ServiceDeps, token: string): Promise<Invoice> {
  const link = await deps.em.findOne(InvoicePayLink, { tokenHash: tokenHash(token) }, { populate: ['invoice', 'invoice.contact', 'invoice.tenant'] });
  if (!link) throw new DomainError('not_found', 'not_found', 'this payment link does not exist or was replaced by a newer one');
  return link.invoice;
}
