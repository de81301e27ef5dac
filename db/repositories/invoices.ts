/** invoices: what operators count. */
import type { EntityManager } from '@mikro-orm/postgresql';

/** Invoices whose workflow could not store part of a change (partial index on attention_at). */
export async function countInvoicesNeedingAttention(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>('select count(*)::int as n from invoices where attention_at is not null');
  return row.n;
}
