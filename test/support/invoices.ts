/**
 * Invoice rows written straight to Postgres (no workflow), for tests of what the API reads back:
 * lists, orders and the summary need exact statuses, balances and due dates, including past ones.
 */
import { v7 as uuidv7 } from 'uuid';
import { Contact, Invoice } from '../../db';
import type { InvoiceStatus } from '../../domain/invoice';
import type { TestStack } from './stack';

export interface InvoiceRowInput {
  status: InvoiceStatus;
  total: number;
  /** Default: what the status implies (paid: total, otherwise 0). */
  paid?: number;
  dueDate: string;
  issueDate?: string;
  currency?: string;
  number?: string;
  contactId?: string;
}

export async function insertContactRow(stack: TestStack, tenantId: string, name = 'Ada Lovelace'): Promise<string> {
  const em = stack.orm.em.fork();
  const contact = em.create(Contact, { id: uuidv7(), tenant: tenantId, name, email: null, createdAt: new Date(), updatedAt: new Date() });
  await em.flush();
  return contact.id;
}

/** Inserts the invoices in order (ids ascending, so "newest" is the last); returns their ids. */
export async function insertInvoiceRows(stack: TestStack, tenantId: string, contactId: string, rows: InvoiceRowInput[]): Promise<string[]> {
  const em = stack.orm.em.fork();
  const ids = rows.map((r, n) => {
    const paid = r.paid ?? (r.status === 'paid' ? r.total : 0);
    const id = uuidv7();
    em.create(Invoice, {
      id,
      tenant: tenantId,
      number: r.number ?? `T-${id.slice(-12)}-${n}`,
      contact: r.contactId ?? contactId,
      currency: r.currency ?? 'USD',
      issueDate: r.issueDate ?? '2000-01-01',
      dueDate: r.dueDate,
      lineItems: [{ description: 'Services', quantity: 1, unitAmount: r.total, amount: r.total }],
      total: r.total,
      paid,
      due: r.total - paid,
      status: r.status,
      stateVersion: 1,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    return id;
  });
  await em.flush();
  return ids;
}
