/** Shared helpers for the API integration tests (row counts straight from Postgres). */
import type { TestStack } from './stack';

export type Request = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any; headers: Record<string, unknown> }>;

const TABLES = ['contacts', 'deals', 'invoices', 'payments', 'planned_payments', 'invoice_events'] as const;
export type Counts = Record<(typeof TABLES)[number], number>;

/** Rows the tenant owns in every business table. */
export async function tenantCounts(stack: TestStack, tenantId: string): Promise<Counts> {
  const conn = stack.orm.em.getConnection();
  const out = {} as Counts;
  for (const t of TABLES) {
    const [row] = await conn.execute<{ n: number }[]>(`select count(*)::int as n from "${t}" where tenant_id = ?`, [tenantId]);
    out[t] = row.n;
  }
  return out;
}

export async function countWhere(stack: TestStack, table: string, where: string, params: unknown[]): Promise<number> {
  const [row] = await stack.orm.em.getConnection().execute<{ n: number }[]>(`select count(*)::int as n from "${table}" where ${where}`, params as never);
  return row.n;
}

export async function invoiceRow(stack: TestStack, id: string) {
  const [row] = await stack.orm.em
    .getConnection()
    .execute<{ status: string; paid: string; due: string; total: string }[]>('select status, paid::text, due::text, total::text from invoices where id = ?', [id]);
  return row ? { status: row.status, paid: Number(row.paid), due: Number(row.due), total: Number(row.total) } : undefined;
}

export function expectError(res: { status: number; body: any }, status: number, code?: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code: code ?? res.body?.error?.code });
  expect(res.body).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) } });
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const invoiceBody = (contactId: string, over: Record<string, unknown> = {}) => ({
  contactId,
  currency: 'USD',
  issueDate: '2026-11-01',
  dueDate: '2099-12-31',
  lineItems: [{ description: 'Consulting', quantity: 1, unitAmount: 5000 }],
  ...over,
});

export async function newContact(request: Request, name = 'Ada Lovelace') {
  const res = await request('POST', '/v1/contacts', { name, email: 'ada@example.com' });
  if (res.status !== 201) throw new Error(`contact: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

export async function newInvoice(request: Request, contactId: string, over: Record<string, unknown> = {}) {
  const res = await request('POST', '/v1/invoices', invoiceBody(contactId, over));
  if (res.status !== 201) throw new Error(`invoice: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; number: string; total: number };
}

/** Walks a list endpoint with `limit` until nextCursor is null; returns all ids and the page count. */
export async function walk(request: Request, url: string, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await request('GET', `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'nextCursor']);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.data.map((r: { id: string }) => r.id));
    cursor = res.body.nextCursor;
    pages++;
    if (pages > 50) throw new Error('pagination does not terminate');
  } while (cursor);
  return { ids, pages };
}
