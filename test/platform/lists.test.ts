import { v7 as uuidv7 } from 'uuid';
import { useTestStack, createTestTenant } from '../support/stack';
import { eventually } from '../support/fixtures';
import { encodeCursor, likePattern } from '../../services/pagination';
import { insertContactRow, insertInvoiceRows } from '../support/invoices';
import { expectError, invoiceBody, newContact, newInvoice, walk } from '../support/api';

const stack = useTestStack();

const LISTS = ['/v1/contacts', '/v1/deals', '/v1/invoices', '/v1/payments', '/v1/payment-plans'];

/** A tenant with 7 of everything: contacts, deals, invoices (one installment each), payments. */
async function sevenOfEverything() {
  const t = await createTestTenant(stack);
  const created: Record<string, string[]> = { '/v1/contacts': [], '/v1/deals': [], '/v1/invoices': [], '/v1/payments': [], '/v1/payment-plans': [] };
  for (let i = 0; i < 7; i++) {
    const c = await newContact(t.request, `Contact ${i}`);
    created['/v1/contacts'].push(c.id);
    const d = await t.request('POST', '/v1/deals', { name: `Deal ${i}`, contactId: c.id, amount: 100 * (i + 1), currency: 'USD' });
    created['/v1/deals'].push(d.body.id);
    // plan dates collide on purpose (pairs share a date) to exercise the (date, id) tie-break
    const inv = await newInvoice(t.request, c.id, { issueDate: '2098-01-01', dueDate: '2098-12-31', paymentPlan: [{ amount: 5000, date: `2098-0${1 + Math.floor(i / 2)}-15` }] });
    created['/v1/invoices'].push(inv.id);
    created['/v1/payment-plans'].push((inv as unknown as { paymentPlan: { id: string }[] }).paymentPlan[0].id);
    const p = await t.request('POST', '/v1/payments', { contactId: c.id, amount: 10 + i, currency: 'USD', method: 'cash', date: `2026-03-0${i + 1}` });
    created['/v1/payments'].push(p.body.id);
  }
  return { ...t, created };
}

describe('pagination', () => {
  let t: Awaited<ReturnType<typeof sevenOfEverything>>;
  beforeAll(async () => {
    t = await sevenOfEverything();
  });

  test.each(LISTS)('%s walks all 7 rows with limit 3: no duplicates, no gaps, stable order', async (url) => {
    const { ids, pages } = await walk(t.request, url, 3);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...t.created[url]].sort());
    // the same walk again gives the same order; a single big page agrees
    expect((await walk(t.request, url, 3)).ids).toEqual(ids);
    const all = await t.request('GET', `${url}?limit=100`);
    expect(all.body.data.map((r: { id: string }) => r.id)).toEqual(ids);
    expect(all.body.nextCursor).toBeNull();
    // newest first everywhere except payment plans (soonest first)
    if (url === '/v1/payment-plans') {
      const dates = all.body.data.map((r: { date: string }) => r.date);
      expect(dates).toEqual([...dates].sort());
    } else {
      expect(ids).toEqual([...t.created[url]].reverse());
    }
  });

  test('rows inserted while paging are neither duplicated nor do they break the walk', async () => {
    const { request } = await createTestTenant(stack);
    for (let i = 0; i < 7; i++) await newContact(request, `C${i}`);
    const first = await request('GET', '/v1/contacts?limit=3');
    await newContact(request, 'Late arrival');
    const seen = first.body.data.map((c: { id: string }) => c.id);
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await request('GET', `/v1/contacts?limit=3&cursor=${cursor}`);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  test.each(LISTS)('%s: limit 0, 101, -1 and "abc" are 400; 1 and 100 are fine', async (url) => {
    for (const limit of ['0', '101', '-1', 'abc', '2.5']) expectError(await t.request('GET', `${url}?limit=${limit}`), 400);
    for (const limit of ['1', '100']) expect((await t.request('GET', `${url}?limit=${limit}`)).status).toBe(200);
    expect((await t.request('GET', `${url}?limit=1`)).body.data).toHaveLength(1);
  });

  test.each(LISTS)('%s: garbage and forged cursors are 400, never 500', async (url) => {
    const forged = [
      'garbage',
      '!!!',
      encodeCursor(['not-a-uuid']),
      encodeCursor(['2098-01-01', 'not-a-uuid']),
      encodeCursor(['not-a-date', '0190f0f0-0000-7000-8000-000000000000']),
      encodeCursor([]),
      encodeCursor([1, 2, 3]),
      Buffer.from('{"a":1}').toString('base64url'),
      'x'.repeat(600),
    ];
    for (const cursor of forged) {
      const res = await t.request('GET', `${url}?cursor=${encodeURIComponent(cursor)}`);
      expect({ url, cursor, status: res.status }).toEqual({ url, cursor, status: 400 });
      expect(res.body.error.code).toEqual(expect.any(String));
    }
  });
});

describe('filters and search', () => {
  test('invoices: status, contactId, issue/due date ranges and q on number and contact name', async () => {
    const { request } = await createTestTenant(stack);
    const zeta = await newContact(request, 'Zeta Industries');
    const omega = await newContact(request, 'Omega 100% Ltd');
    const a = await newInvoice(request, zeta.id, { number: 'ACME-1', issueDate: '2098-01-10', dueDate: '2098-02-10' });
    const b = await newInvoice(request, zeta.id, { issueDate: '2098-03-10', dueDate: '2098-04-10' });
    const c = await newInvoice(request, omega.id, { issueDate: '2098-05-10', dueDate: '2098-06-10' });
    const overdue = await newInvoice(request, omega.id, { issueDate: '2026-01-01', dueDate: '2026-01-31' });
    expect((await request('POST', `/v1/invoices/${b.id}/payments`, { amount: 5000, method: 'cash' })).status).toBe(201);
    expect((await request('POST', `/v1/invoices/${c.id}/void`, {})).status).toBe(200);
    const ids = async (q: string) => {
      const res = await request('GET', `/v1/invoices?${q}`);
      expect(res.status).toBe(200);
      return res.body.data.map((i: { id: string }) => i.id);
    };
    expect(await ids('status=paid')).toEqual([b.id]);
    expect(await ids('status=void')).toEqual([c.id]);
    await eventually(async () => expect(await ids('status=overdue')).toEqual([overdue.id]));
    expect(await ids('status=open')).toEqual([a.id]);
    expect(await ids(`contactId=${zeta.id}`)).toEqual([b.id, a.id]);
    expect(await ids(`contactId=${omega.id}&status=void`)).toEqual([c.id]);
    expect(await ids('issueDateFrom=2098-03-10')).toEqual([c.id, b.id]);
    expect(await ids('issueDateFrom=2098-03-01&issueDateTo=2098-03-31')).toEqual([b.id]);
    expect(await ids('dueDateTo=2098-02-10')).toEqual([overdue.id, a.id]);
    expect(await ids('dueDateFrom=2098-02-11&dueDateTo=2098-06-10')).toEqual([c.id, b.id]);
    expect(await ids('q=acme')).toEqual([a.id]);
    expect(await ids('q=INV-00000')).toEqual([overdue.id, c.id, b.id]);
    expect(await ids('q=zeta')).toEqual([b.id, a.id]);
    expect(await ids('q=100%25')).toEqual([overdue.id, c.id]);
    expect(await ids('q=%25')).toEqual([overdue.id, c.id]);
    expect(await ids('q=_')).toEqual([]);
    expect(await ids('q=nobody')).toEqual([]);
  });

  test('payments: contactId, invoiceId, method, source, date range and q', async () => {
    const { request } = await createTestTenant(stack);
    const x = await newContact(request, 'Xavier');
    const y = await newContact(request, 'Yolanda');
    const inv = await newInvoice(request, x.id);
    const p1 = (await request('POST', `/v1/invoices/${inv.id}/payments`, { amount: 100, method: 'cash', date: '2026-05-01', reference: 'REF-alpha' })).body;
    const p2 = (await request('POST', '/v1/payments', { contactId: x.id, amount: 200, currency: 'USD', method: 'check', date: '2026-05-15' })).body;
    const p3 = (await request('POST', '/v1/payments', { contactId: y.id, amount: 300, currency: 'EUR', method: 'check', date: '2026-06-01', reference: 'beta' })).body;
    const ids = async (q: string) => {
      const res = await request('GET', `/v1/payments?${q}`);
      expect(res.status).toBe(200);
      return res.body.data.map((i: { id: string }) => i.id);
    };
    expect(await ids('')).toEqual([p3.id, p2.id, p1.id]);
    expect(await ids(`contactId=${x.id}`)).toEqual([p2.id, p1.id]);
    expect(await ids(`invoiceId=${inv.id}`)).toEqual([p1.id]);
    expect(await ids('method=check')).toEqual([p3.id, p2.id]);
    expect(await ids('source=manual')).toEqual([p3.id, p2.id, p1.id]);
    expect(await ids('source=stripe')).toEqual([]);
    expect(await ids('dateFrom=2026-05-02')).toEqual([p3.id, p2.id]);
    expect(await ids('dateFrom=2026-05-01&dateTo=2026-05-15')).toEqual([p2.id, p1.id]);
    expect(await ids('q=yolanda')).toEqual([p3.id]);
    expect(await ids('q=ref-ALPHA')).toEqual([p1.id]);
    expect(await ids(`q=${inv.number}`)).toEqual([p1.id]);
  });

  test('payment plans: exact shape, invoiceId, contactId, invoiceStatus, method, date range, q', async () => {
    const { request } = await createTestTenant(stack);
    const x = await newContact(request, 'Xena');
    const y = await newContact(request, 'Yuri');
    const i1 = (await request('POST', '/v1/invoices', invoiceBody(x.id, { issueDate: '2098-01-01', dueDate: '2098-03-31', paymentPlan: [{ amount: 2000, date: '2098-02-01', method: 'card' }, { amount: 3000, date: '2098-03-01' }] }))).body;
    const i2 = (await request('POST', '/v1/invoices', invoiceBody(y.id, { currency: 'EUR', issueDate: '2098-01-01', dueDate: '2098-02-15' }))).body;
    expect((await request('POST', `/v1/invoices/${i2.id}/void`, {})).status).toBe(200);
    const all = await request('GET', '/v1/payment-plans');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      data: [
        { id: i1.paymentPlan[0].id, invoice: { id: i1.id, number: i1.number }, contact: { id: x.id, name: 'Xena' }, amount: 2000, currency: 'USD', date: '2098-02-01', method: 'card', invoiceStatus: 'open' },
        { id: i2.paymentPlan[0].id, invoice: { id: i2.id, number: i2.number }, contact: { id: y.id, name: 'Yuri' }, amount: 5000, currency: 'EUR', date: '2098-02-15', method: null, invoiceStatus: 'void' },
        { id: i1.paymentPlan[1].id, invoice: { id: i1.id, number: i1.number }, contact: { id: x.id, name: 'Xena' }, amount: 3000, currency: 'USD', date: '2098-03-01', method: null, invoiceStatus: 'open' },
      ],
      nextCursor: null,
    });
    const ids = async (q: string) => {
      const res = await request('GET', `/v1/payment-plans?${q}`);
      expect(res.status).toBe(200);
      return res.body.data.map((i: { id: string }) => i.id);
    };
    const [a, b, c] = all.body.data.map((r: { id: string }) => r.id);
    expect(await ids(`invoiceId=${i1.id}`)).toEqual([a, c]);
    expect(await ids(`contactId=${y.id}`)).toEqual([b]);
    expect(await ids('invoiceStatus=void')).toEqual([b]);
    expect(await ids('invoiceStatus=open')).toEqual([a, c]);
    expect(await ids('method=card')).toEqual([a]);
    expect(await ids('dateFrom=2098-02-10&dateTo=2098-03-01')).toEqual([b, c]);
    expect(await ids('q=yuri')).toEqual([b]);
    expect(await ids(`q=${i1.number}`)).toEqual([a, c]);
    expect(await ids(`q=${i1.number}&dateFrom=2098-02-02`)).toEqual([c]);
  });

  test('payment plans invoiceStatus follows every change of the invoice: paid through the workflow, overdue, a row written directly', async () => {
    const t = await createTestTenant(stack);
    const x = await newContact(t.request, 'Xena');
    const paid = await newInvoice(t.request, x.id, { dueDate: '2098-06-01' });
    const open = await newInvoice(t.request, x.id, { dueDate: '2098-06-02', paymentPlan: [{ amount: 2000, date: '2098-05-01' }, { amount: 3000, date: '2098-06-02' }] });
    expect((await t.request('POST', `/v1/invoices/${paid.id}/payments`, { amount: 5000, method: 'cash' })).status).toBe(201);
    const plans = async (status: string) => (await walk(t.request, `/v1/payment-plans?invoiceStatus=${status}`, 1)).ids.length;
    expect([await plans('open'), await plans('paid'), await plans('overdue')]).toEqual([2, 1, 0]);
    await stack.orm.em.fork().getConnection().execute(`update invoices set status = 'overdue' where id = ?`, [open.id]);
    expect([await plans('open'), await plans('paid'), await plans('overdue')]).toEqual([0, 1, 2]);
  });

  test('payment plans contactId is the invoice contact: an installment written directly, an invoice moved to another contact', async () => {
    const t = await createTestTenant(stack);
    const x = await newContact(t.request, 'Xena');
    const y = await newContact(t.request, 'Yuri');
    const inv = await newInvoice(t.request, x.id, { dueDate: '2098-06-02', paymentPlan: [{ amount: 2000, date: '2098-05-01' }, { amount: 3000, date: '2098-06-02' }] });
    const conn = stack.orm.em.fork().getConnection();
    // Written without a contact: the insert trigger fills it from the invoice.
    await conn.execute(`insert into planned_payments (id, tenant_id, invoice_id, seq, amount, date) values (?, ?, ?, 2, 1, '2098-06-03')`, [uuidv7(), t.tenantId, inv.id]);
    const plans = async (contactId: string) => (await walk(t.request, `/v1/payment-plans?contactId=${contactId}`, 1)).ids.length;
    expect([await plans(x.id), await plans(y.id)]).toEqual([3, 0]);
    await conn.execute(`update invoices set contact_id = ? where id = ?`, [y.id, inv.id]);
    expect([await plans(x.id), await plans(y.id)]).toEqual([0, 3]);
  });

  test('q folds the case of every letter, not only ASCII (the database is created with a Unicode ctype)', async () => {
    const { request } = await createTestTenant(stack);
    const unic = await newContact(request, 'Ünïc Étoile GmbH');
    await newContact(request, 'Plain Ltd');
    const invoice = await newInvoice(request, unic.id);
    const list = async (url: string) => (await request('GET', url)).body.data.map((r: { id: string }) => r.id);
    for (const q of ['ünïc', 'ÜNÏC', 'étoile', 'ÉTOILE']) {
      expect({ q, contacts: await list(`/v1/contacts?q=${encodeURIComponent(q)}`) }).toEqual({ q, contacts: [unic.id] });
      expect({ q, invoices: await list(`/v1/invoices?q=${encodeURIComponent(q)}`) }).toEqual({ q, invoices: [invoice.id] });
    }
  });

  test('contacts q and deals contactId/q', async () => {
    const { request } = await createTestTenant(stack);
    const a = await newContact(request, 'Alpha Co');
    const b = (await request('POST', '/v1/contacts', { name: 'Beta', company: 'Alphabet' })).body;
    await newContact(request, 'Gamma');
    const list = async (url: string) => (await request('GET', url)).body.data.map((r: { id: string }) => r.id);
    expect(await list('/v1/contacts?q=alpha')).toEqual([b.id, a.id]);
    const d1 = (await request('POST', '/v1/deals', { name: 'Renewal', contactId: a.id, amount: 1, currency: 'USD' })).body;
    const d2 = (await request('POST', '/v1/deals', { name: 'Upsell', contactId: b.id, amount: 1, currency: 'USD' })).body;
    expect(await list(`/v1/deals?contactId=${a.id}`)).toEqual([d1.id]);
    expect(await list('/v1/deals?q=beta')).toEqual([d2.id]);
    expect(await list('/v1/deals?q=renew')).toEqual([d1.id]);
  });

  test('invoices q: the same rows in the same order as matching on the joined contact, for every sort and page, whatever the case', async () => {
    const t = await createTestTenant(stack);
    const other = await createTestTenant(stack);
    const names = ['Ada Lovelace', 'ADA Industries', 'Grace Hopper', 'Adalbert 100% Co', 'Linus_T'];
    const contacts = await Promise.all(names.map((n) => insertContactRow(stack, t.tenantId, n)));
    // another tenant with the same names and numbers never shows up
    await insertInvoiceRows(stack, other.tenantId, await insertContactRow(stack, other.tenantId, 'Ada Lovelace'), [{ status: 'open', total: 1, dueDate: '2098-01-01', number: 'ADA-0001' }]);
    const statuses = ['open', 'overdue', 'paid', 'void'] as const;
    for (let i = 0; i < 40; i++) {
      await insertInvoiceRows(stack, t.tenantId, contacts[i % contacts.length], [
        { status: statuses[i % 4], total: 100 * (i % 7), dueDate: `2098-0${1 + (i % 9)}-1${i % 10}`, number: i % 3 === 0 ? `ADA-${String(i).padStart(4, '0')}` : `INV-${String(i).padStart(4, '0')}` },
      ]);
    }
    const orders: Record<string, string> = { '': 'i.id desc', '&sort=dueDate': 'i.due_date asc, i.id asc', '&sort=-total': 'i.total desc, i.id desc', '&sort=status': 'i.status asc, i.id desc' };
    const conn = stack.orm.em.fork().getConnection();
    for (const q of ['ada', 'ADA-00', 'lovelace', 'hopper', '100%', '_t', 'inv-001', '0', 'nobody']) {
      const like = likePattern(q);
      for (const [sort, orderBy] of Object.entries(orders)) {
        const expected = await conn.execute<{ id: string }[]>(
          `select i.id from invoices i join contacts c on c.id = i.contact_id where i.tenant_id = ? and (i.number ilike ? or c.name ilike ?) order by ${orderBy}`,
          [t.tenantId, like, like],
        );
        const { ids } = await walk(t.request, `/v1/invoices?q=${encodeURIComponent(q)}${sort}`, 7);
        expect({ q, sort, ids }).toEqual({ q, sort, ids: expected.map((r) => r.id) });
      }
    }
    // with the other filters too
    const { ids } = await walk(t.request, `/v1/invoices?q=ada&status=open&contactId=${contacts[1]}`, 2);
    const expected = await conn.execute<{ id: string }[]>(`select id from invoices where tenant_id = ? and status = 'open' and contact_id = ? order by id desc`, [t.tenantId, contacts[1]]);
    expect(ids).toEqual(expected.map((r) => r.id));
  });

  test.each([
    ['/v1/invoices?status=weird'],
    ['/v1/invoices?contactId=nope'],
    ['/v1/invoices?issueDateFrom=2026-02-30'],
    ['/v1/invoices?unknown=1'],
    ['/v1/payments?method=bitcoin'],
    ['/v1/payments?source=paypal'],
    ['/v1/payments?dateFrom=yesterday'],
    ['/v1/payment-plans?invoiceStatus=weird'],
    ['/v1/payment-plans?invoiceId=123'],
    ['/v1/contacts?foo=bar'],
    ['/v1/deals?contactId=xyz'],
  ])('bad filter %s is 400', async (url) => {
    const { request } = await createTestTenant(stack);
    expectError(await request('GET', url), 400);
  });
});

