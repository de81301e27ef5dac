/**
 * GET /v1/invoices/summary: open and overdue totals and the aging of what is unpaid, per currency,
 * by days past due on the tenant's local date; and the query plan it relies on at scale.
 */
import { addDays, dateIn } from '../../domain/dates';
import { agingCutoffs } from '../../domain/aging';
import { invoiceSummaryQuery } from '../../db/repositories/invoices';
import { INVOICES_UNPAID_SUMMARY_INDEX } from '../../db/entities/invoice';
import { expectError } from '../support/api';
import { insertContactRow, insertInvoiceRows } from '../support/invoices';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack({ worker: false });

const zero = { current: 0, days1To30: 0, days31To60: 0, days61To90: 0, over90: 0 };

test('per currency: open and overdue counts and dues, and the aging buckets at their edges', async () => {
  const t = await createTestTenant(stack, 'professional', 'Europe/Berlin');
  const today = dateIn(Date.now(), 'Europe/Berlin');
  const ada = await insertContactRow(stack, t.tenantId, 'Ada');
  const past = (days: number) => addDays(today, -days);
  await insertInvoiceRows(stack, t.tenantId, ada, [
    { status: 'open', total: 10_000, dueDate: addDays(today, 10) },
    { status: 'open', total: 5_000, paid: 2_000, dueDate: today }, // due today: current
    { status: 'overdue', total: 4_000, dueDate: past(1) },
    { status: 'overdue', total: 1_000, dueDate: past(30) },
    { status: 'overdue', total: 200, dueDate: past(31) },
    { status: 'overdue', total: 300, dueDate: past(60) },
    { status: 'overdue', total: 40, dueDate: past(61) },
    { status: 'overdue', total: 50, dueDate: past(90) },
    { status: 'overdue', total: 7, dueDate: past(91) },
    { status: 'overdue', total: 8, dueDate: past(4000) },
    { status: 'paid', total: 99_999, dueDate: past(5) },
    { status: 'void', total: 88_888, dueDate: past(5) },
    { status: 'open', total: 2_500, currency: 'EUR', dueDate: addDays(today, 1) },
  ]);
  // another tenant's invoices never count
  const other = await createTestTenant(stack);
  await insertInvoiceRows(stack, other.tenantId, await insertContactRow(stack, other.tenantId), [{ status: 'overdue', total: 123_456, dueDate: past(3) }]);

  const res = await t.request('GET', '/v1/invoices/summary');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    data: [
      { currency: 'EUR', open: { count: 1, due: 2_500 }, overdue: { count: 0, due: 0 }, aging: { ...zero, current: 2_500 } },
      {
        currency: 'USD',
        open: { count: 2, due: 13_000 },
        overdue: { count: 8, due: 5_605 },
        aging: { current: 13_000, days1To30: 5_000, days31To60: 500, days61To90: 90, over90: 15 },
      },
    ],
  });
  expect((await other.request('GET', '/v1/invoices/summary')).body.data).toEqual([
    { currency: 'USD', open: { count: 0, due: 0 }, overdue: { count: 1, due: 123_456 }, aging: { ...zero, days1To30: 123_456 } },
  ]);
  // nothing unpaid: no entries
  expect((await (await createTestTenant(stack)).request('GET', '/v1/invoices/summary')).body).toEqual({ data: [] });
});

test("days past due count on the tenant's own date, not UTC's", async () => {
  // At any instant one of these two zones (UTC+14, UTC−11) is on another date than UTC.
  const zones = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'];
  const now = Date.now();
  expect(zones.map((z) => dateIn(now, z))).not.toEqual([dateIn(now, 'UTC'), dateIn(now, 'UTC')]);
  for (const zone of zones) {
    const t = await createTestTenant(stack, 'professional', zone);
    const today = dateIn(Date.now(), zone);
    const contact = await insertContactRow(stack, t.tenantId);
    await insertInvoiceRows(stack, t.tenantId, contact, [
      { status: 'open', total: 1, dueDate: today },
      { status: 'overdue', total: 10, dueDate: addDays(today, -1) },
      { status: 'overdue', total: 100, dueDate: addDays(today, -30) },
      { status: 'overdue', total: 1_000, dueDate: addDays(today, -31) },
      { status: 'overdue', total: 10_000, dueDate: addDays(today, -90) },
      { status: 'overdue', total: 100_000, dueDate: addDays(today, -91) },
    ]);
    const [usd] = (await t.request('GET', '/v1/invoices/summary')).body.data;
    expect({ zone, aging: usd.aging }).toEqual({ zone, aging: { current: 1, days1To30: 110, days31To60: 1_000, days61To90: 10_000, over90: 100_000 } });
  }
});

test("the list's filters narrow the summary; paging and sort are not summary parameters", async () => {
  const t = await createTestTenant(stack);
  const today = dateIn(Date.now(), 'UTC');
  const ada = await insertContactRow(stack, t.tenantId, 'Ada Lovelace');
  const bob = await insertContactRow(stack, t.tenantId, 'Bob Babbage');
  await insertInvoiceRows(stack, t.tenantId, ada, [
    { status: 'open', total: 100, dueDate: addDays(today, 5), issueDate: '2026-01-10', number: 'ADA-1' },
    { status: 'overdue', total: 200, dueDate: addDays(today, -5), issueDate: '2026-02-10', number: 'ADA-2' },
    { status: 'overdue', total: 400, dueDate: addDays(today, -40), issueDate: '2026-03-10', number: 'BOTH-3', contactId: bob },
  ]);
  const summary = async (query: string) => (await t.request('GET', `/v1/invoices/summary?${query}`)).body.data[0] ?? null;
  expect(await summary(`contactId=${ada}`)).toMatchObject({ open: { count: 1, due: 100 }, overdue: { count: 1, due: 200 } });
  expect(await summary('status=overdue')).toMatchObject({ open: { count: 0, due: 0 }, overdue: { count: 2, due: 600 } });
  expect(await summary('status=paid')).toBeNull();
  expect(await summary('q=babbage')).toMatchObject({ overdue: { count: 1, due: 400 } });
  expect(await summary('q=ADA-')).toMatchObject({ open: { count: 1 }, overdue: { count: 1, due: 200 } });
  expect(await summary(`dueDateTo=${addDays(today, -1)}`)).toMatchObject({ open: { count: 0 }, overdue: { count: 2 }, aging: { days1To30: 200, days31To60: 400 } });
  expect(await summary('issueDateFrom=2026-02-01&issueDateTo=2026-02-28')).toMatchObject({ overdue: { count: 1, due: 200 } });
  for (const bad of ['cursor=abc', 'limit=10', 'sort=total', 'status=late', 'contactId=nope', 'dueDateFrom=2026-02-30']) {
    expectError(await t.request('GET', `/v1/invoices/summary?${bad}`), 400, 'validation_failed');
  }
});

test('the summary reads the partial unpaid-invoices index, not the table', async () => {
  const t = await createTestTenant(stack);
  const contact = await insertContactRow(stack, t.tenantId);
  const conn = stack.orm.em.getConnection();
  // 3,000 invoices, a fifth of them unpaid, as a mature account looks
  await conn.execute(
    `insert into invoices (id, tenant_id, number, contact_id, currency, issue_date, due_date, line_items, total, paid, due, status, state_version, created_at, updated_at)
     select gen_random_uuid(), ?, 'X-' || g, ?, 'USD', date '2026-01-01', date '2026-01-01' + (g % 200), '[]', 1000, case when g % 5 = 0 then 0 else 1000 end,
            case when g % 5 = 0 then 1000 else 0 end, case when g % 5 = 0 then (case when g % 2 = 0 then 'open' else 'overdue' end) else 'paid' end, 1, now(), now()
       from generate_series(1, 3000) g`,
    [t.tenantId, contact],
  );
  await conn.execute('vacuum analyze invoices');
  const { sql, params } = invoiceSummaryQuery(t.tenantId, {}, agingCutoffs(dateIn(Date.now(), 'UTC')));
  const [{ 'QUERY PLAN': plan }] = await conn.execute<{ 'QUERY PLAN': unknown }[]>(`explain (format json) ${sql}`, params as never[]);
  const text = JSON.stringify(plan);
  expect(text).toContain(INVOICES_UNPAID_SUMMARY_INDEX);
  expect(text).not.toMatch(/"Node Type":"Seq Scan"/);
  const [usd] = (await t.request('GET', '/v1/invoices/summary')).body.data;
  expect(usd.open.count + usd.overdue.count).toBe(600);
  expect(usd.open.due + usd.overdue.due).toBe(600_000);
});
