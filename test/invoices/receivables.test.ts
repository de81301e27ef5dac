/**
 * invoice_receivables, the unpaid totals the invoices' triggers keep for the summary
 * (Migration20261203300000_read_model_scale): they must always equal what the unpaid invoices
 * themselves add up to — after any mix of writes, under concurrent writers, and under concurrent
 * payments through the workflow.
 */
import { agingCutoffs } from '../../domain/aging';
import { addDays, dateIn } from '../../domain/dates';
import { invoiceReceivablesQuery, invoiceSummaryQuery, type InvoiceSummaryFilters } from '../../db/repositories/invoices';
import { newContact, newInvoice } from '../support/api';
import { insertContactRow } from '../support/invoices';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack();
const today = dateIn(Date.now(), 'UTC');

/** The summary both ways, for the filters the kept totals answer. */
async function bothWays(tenantId: string, f: InvoiceSummaryFilters = {}) {
  const conn = stack.orm.em.fork().getConnection();
  const cutoffs = agingCutoffs(today);
  const run = async ({ sql, params }: { sql: string; params: unknown[] }) => conn.execute(sql, params as never[]);
  return { kept: await run(invoiceReceivablesQuery(tenantId, f, cutoffs)), scanned: await run(invoiceSummaryQuery(tenantId, f, cutoffs)) };
}
const filters = (): InvoiceSummaryFilters[] => [{}, { status: 'open' }, { status: 'overdue' }, { status: 'paid' }, { dueDateFrom: addDays(today, -40), dueDateTo: addDays(today, 5) }];

test('inserts, updates of status, due and due date, deletes and a tenant deletion all move the totals', async () => {
  const t = await createTestTenant(stack);
  const other = await createTestTenant(stack);
  const conn = stack.orm.em.fork().getConnection();
  for (const tenant of [t, other]) {
    const contact = await insertContactRow(stack, tenant.tenantId);
    await conn.execute(
      `insert into invoices (id, tenant_id, number, contact_id, currency, issue_date, due_date, line_items, total, paid, due, status, state_version, created_at, updated_at)
       select gen_random_uuid(), ?, 'R-' || g, ?, (array['USD', 'EUR'])[1 + g % 2], current_date - 200, current_date - 100 + (g % 150), '[]', 1000 + g, 0, 1000 + g,
              (array['open', 'overdue', 'paid', 'void'])[1 + g % 4], 1, now(), now()
         from generate_series(1, 2000) g`,
      [tenant.tenantId, contact],
    );
  }
  const writes = [
    // partial payments, payments in full, invoices going overdue, voids, a due date moved, deletes; one statement each
    `update invoices set paid = paid + 100, due = due - 100 where tenant_id = ? and status = 'open' and number like 'R-1%'`,
    `update invoices set paid = total, due = 0, status = 'paid' where tenant_id = ? and status = 'overdue' and number like 'R-2%'`,
    `update invoices set status = 'overdue' where tenant_id = ? and status = 'open' and due_date < current_date`,
    `update invoices set status = 'void' where tenant_id = ? and status = 'open' and number like 'R-3%'`,
    `update invoices set due_date = due_date + 7 where tenant_id = ? and number like 'R-4%'`,
    `update invoices set updated_at = now() where tenant_id = ?`,
    `delete from invoices where tenant_id = ? and number like 'R-5%'`,
  ];
  for (const sql of writes) {
    await conn.execute(sql, [t.tenantId]);
    for (const f of filters()) {
      const { kept, scanned } = await bothWays(t.tenantId, f);
      expect({ sql, f, kept }).toEqual({ sql, f, kept: scanned });
    }
  }
  expect((await bothWays(t.tenantId)).kept).toHaveLength(2);
  await conn.execute('delete from tenants where id = ?', [other.tenantId]);
  expect(await conn.execute('select count(*)::int as n from invoice_receivables where tenant_id = ?', [other.tenantId])).toEqual([{ n: 0 }]);
});

test('exact under concurrent writers on invoices due the same day (no lost update)', async () => {
  const t = await createTestTenant(stack);
  const contact = await insertContactRow(stack, t.tenantId);
  const conn = stack.orm.em.fork().getConnection();
  const ids = (
    await conn.execute<{ id: string }[]>(
      `insert into invoices (id, tenant_id, number, contact_id, currency, issue_date, due_date, line_items, total, paid, due, status, state_version, created_at, updated_at)
       select gen_random_uuid(), ?, 'C-' || g, ?, 'USD', current_date, current_date, '[]', 10000, 0, 10000, 'open', 1, now(), now() from generate_series(1, 64) g
       returning id`,
      [t.tenantId, contact],
    )
  ).map((r) => r.id);
  // 16 writers at once, each transaction writing one invoice as the workflow's activity does (open ↔
  // overdue and a part paid): the same few total rows, hit concurrently.
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let round = 0; round < 32; round++) {
        const id = ids[(w * 7 + round * 13) % ids.length];
        await stack.orm.em.fork().transactional((tx) =>
          tx.execute(`update invoices set status = case when status = 'open' then 'overdue' else 'open' end, paid = paid + 10, due = due - 10 where id = ?`, [id]),
        );
      }
    }),
  );
  for (const f of filters()) {
    const { kept, scanned } = await bothWays(t.tenantId, f);
    expect(kept).toEqual(scanned);
  }
  const [usd] = (await t.request('GET', '/v1/invoices/summary')).body.data;
  expect(usd.open.count + usd.overdue.count).toBe(64);
  expect(usd.open.due + usd.overdue.due).toBe(64 * 10000 - 16 * 32 * 10);
});

test('exact under concurrent payments through the workflow', async () => {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request);
  const invoices = await Promise.all(Array.from({ length: 4 }, () => newInvoice(t.request, contact.id, { dueDate: addDays(today, 3) })));
  // 40 payments at once, 10 per invoice of 5000: the first one pays each in full, the rest are refused.
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => t.request('POST', `/v1/invoices/${invoices[i % 4].id}/payments`, { amount: i < 8 ? 1000 : 5000, method: 'cash' })),
  );
  const accepted = answers.filter((a) => a.status === 201).length;
  expect(accepted).toBeGreaterThan(0);
  const { kept, scanned } = await bothWays(t.tenantId);
  expect(kept).toEqual(scanned);
  const rows = await stack.orm.em.fork().getConnection().execute<{ due: string }[]>('select coalesce(sum(due), 0) as due from invoices where tenant_id = ? and status in (?, ?)', [t.tenantId, 'open', 'overdue']);
  const summary = (await t.request('GET', '/v1/invoices/summary')).body.data;
  expect(summary.reduce((s: number, c: { open: { due: number } }) => s + c.open.due, 0)).toBe(Number(rows[0].due));
});
