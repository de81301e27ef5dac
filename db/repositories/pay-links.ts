/** invoice_pay_links: each invoice's live pay-page link number (services/pay-links.ts, the reminder worker). */
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The live link number of each invoice. An invoice without a link row (created before pay links
 * existed) gets its first one here, rotation 0 with `firstHash(id)` — only the application knows
 * PAY_LINK_SECRET, so no migration could — so a link is never shown that the pay page cannot find.
 */
export async function payLinkRotations(em: EntityManager, tenantId: string, invoiceIds: string[], firstHash: (invoiceId: string) => string): Promise<Map<string, number>> {
  const read = async (ids: string[]) =>
    em.execute<{ invoice_id: string; rotation: number }[]>('select invoice_id, rotation from invoice_pay_links where tenant_id = ? and invoice_id in (?)', [tenantId, ids as never]);
  const rotations = new Map<string, number>();
  if (invoiceIds.length === 0) return rotations;
  for (const r of await read(invoiceIds)) rotations.set(r.invoice_id, r.rotation);
  const missing = invoiceIds.filter((id) => !rotations.has(id));
  if (missing.length > 0) {
    await em.execute(
      `insert into invoice_pay_links (invoice_id, tenant_id, rotation, token_hash, updated_at)
       select id, tenant_id, 0, hash, now() from (values ${missing.map(() => '(?::uuid, ?::uuid, ?)').join(', ')}) as v(id, tenant_id, hash)
        where exists (select 1 from invoices i where i.id = v.id and i.tenant_id = v.tenant_id)
       on conflict do nothing`,
      missing.flatMap((id) => [id, tenantId, firstHash(id)]),
    );
    // Whatever is there now (a concurrent first link or rotation may have won).
    for (const r of await read(missing)) rotations.set(r.invoice_id, r.rotation);
  }
  return rotations;
}
