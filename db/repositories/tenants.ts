/** tenants.invoice_sequence: the counter behind generated invoice numbers. */
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Takes the tenant's next sequence number inside `em`'s transaction: run on a separate pooled
 * connection it would hold one connection while waiting for another, so N parallel creations on a
 * pool of N deadlocked until the acquire timeout.
 */
export async function takeInvoiceSequence(em: EntityManager, tenantId: string): Promise<number> {
  const [row] = await em.execute<{ invoice_sequence: number }[]>('update tenants set invoice_sequence = invoice_sequence + 1 where id = ? returning invoice_sequence', [tenantId]);
  return row.invoice_sequence;
}
