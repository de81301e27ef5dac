import { useTestStack, createTestTenant } from '../support/stack';
import { countWhere, expectError, invoiceBody, invoiceRow, ISO_DATETIME, newContact, newInvoice, tenantCounts, UUID } from '../support/api';
import { Invoice } from '../../db';
import { voidInvoiceWorkflow } from '../../services/invoice-workflow';

const stack = useTestStack();

describe('invoices', () => {
  test('create returns the exact invoice shape and GET returns it with payments, plan and history', async () => {
    const { tenantId, request } = await createTestTenant(stack);
    const contact = await newContact(request, 'Ada Lovelace');
    const res = await request(
      'POST',
      '/v1/invoices',
      invoiceBody(contact.id, {
        issueDate: '2098-11-01',
        dueDate: '2098-12-31',
        lineItems: [
          { description: 'Consulting', quantity: 3, unitAmount: 1000 },
          { description: 'Travel', quantity: 1, unitAmount: 2000 },
        ],
        paymentPlan: [
          { amount: 2500, date: '2098-12-01', method: 'bank_transfer' },
          { amount: 2500, date: '2098-11-15' },
        ],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      number: 'INV-000001',
      contact: { id: contact.id, name: 'Ada Lovelace' },
      dealId: null,
      currency: 'USD',
      issueDate: '2098-11-01',
      dueDate: '2098-12-31',
      lineItems: [
        { description: 'Consulting', quantity: 3, unitAmount: 1000, amount: 3000 },
        { description: 'Travel', quantity: 1, unitAmount: 2000, amount: 2000 },
      ],
      total: 5000,
      paid: 0,
      due: 5000,
      credited: 0,
      writtenOff: 0,
      status: 'open',
      paymentPlan: [
        { id: expect.stringMatching(UUID), amount: 2500, date: '2098-11-15', method: null, covered: false },
        { id: expect.stringMatching(UUID), amount: 2500, date: '2098-12-01', method: 'bank_transfer', covered: false },
      ],
      customerUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:3000\/i\/[A-Za-z0-9_-]{43}$/),
      createdAt: expect.stringMatching(ISO_DATETIME),
      updatedAt: expect.stringMatching(ISO_DATETIME),
    });
    const id = res.body.id;
    const pay = await request('POST', `/v1/invoices/${id}/payments`, { amount: 1200, method: 'check', reference: 'chk-1', date: '2098-11-20' });
    expect(pay.status).toBe(201);
    const detail = await request('GET', `/v1/invoices/${id}`);
    expect(detail.status).toBe(200);
    const { payments, history, ...inv } = detail.body;
    expect(inv).toEqual({ ...res.body, paid: 1200, due: 3800, updatedAt: expect.stringMatching(ISO_DATETIME) });
    expect(payments).toEqual([
      {
        id: pay.body.id,
        contact: { id: contact.id, name: 'Ada Lovelace' },
        invoice: { id, number: 'INV-000001' },
        amount: 1200,
        currency: 'USD',
        date: '2098-11-20',
        method: 'check',
        reference: 'chk-1',
        source: 'manual',
        status: 'succeeded',
        voided: null,
        refunded: 0,
        refunds: [],
        parentId: null,
        allocations: [],
        createdAt: expect.stringMatching(ISO_DATETIME),
      },
    ]);
    // Its reminder schedule was stored with it, each reminder with its history event.
    const reminders = (await request('GET', `/v1/reminders?invoiceId=${id}&limit=100`)).body.data;
    expect(reminders.length).toBe(7); // two installments × (3 days before, on the day), three dunning steps
    expect(history.map((h: { type: string }) => h.type)).toEqual(['created', ...reminders.map(() => 'reminder_scheduled'), 'payment_applied']);
    for (const h of history) expect(h).toEqual({ id: expect.stringMatching(UUID), type: expect.any(String), data: expect.any(Object), occurredAt: expect.stringMatching(ISO_DATETIME) });
    expect(await invoiceRow(stack, id)).toEqual({ status: 'open', paid: 1200, due: 3800, total: 5000 });
    expect(await countWhere(stack, 'planned_payments', 'invoice_id = ? and tenant_id = ?', [id, tenantId])).toBe(2);
  });

  test('numbers are generated INV-000001… per tenant; a given number is kept; a duplicate given number is 409', async () => {
    const t1 = await createTestTenant(stack);
    const t2 = await createTestTenant(stack);
    const c1 = await newContact(t1.request);
    const c2 = await newContact(t2.request);
    expect((await newInvoice(t1.request, c1.id)).number).toBe('INV-000001');
    expect((await newInvoice(t1.request, c1.id)).number).toBe('INV-000002');
    expect((await newInvoice(t2.request, c2.id)).number).toBe('INV-000001');
    expect((await newInvoice(t1.request, c1.id, { number: 'ACME/2026-7' })).number).toBe('ACME/2026-7');
    const dup = await t1.request('POST', '/v1/invoices', invoiceBody(c1.id, { number: 'ACME/2026-7' }));
    expectError(dup, 409, 'duplicate_invoice_number');
    const dupGenerated = await t1.request('POST', '/v1/invoices', invoiceBody(c1.id, { number: 'INV-000001' }));
    expectError(dupGenerated, 409, 'duplicate_invoice_number');
    // the same number in another tenant is fine
    expect((await newInvoice(t2.request, c2.id, { number: 'ACME/2026-7' })).number).toBe('ACME/2026-7');
    expect((await tenantCounts(stack, t1.tenantId)).invoices).toBe(3);
  });

  test('a generated number skips numbers already given by hand', async () => {
    const { tenantId, request } = await createTestTenant(stack);
    const c = await newContact(request);
    expect((await newInvoice(request, c.id, { number: 'INV-000001' })).number).toBe('INV-000001');
    expect((await newInvoice(request, c.id, { number: 'INV-000002' })).number).toBe('INV-000002');
    expect((await newInvoice(request, c.id)).number).toBe('INV-000003');
    expect((await newInvoice(request, c.id)).number).toBe('INV-000004');
    expect((await tenantCounts(stack, tenantId)).invoices).toBe(4);
  });

  test('parallel creations get unique consecutive numbers and never exhaust the connection pool', async () => {
    const { tenantId, request } = await createTestTenant(stack);
    const c = await newContact(request);
    const results = await Promise.all(Array.from({ length: 15 }, () => request('POST', '/v1/invoices', invoiceBody(c.id))));
    expect(results.map((r) => r.status)).toEqual(Array(15).fill(201));
    const numbers = results.map((r) => r.body.number).sort();
    expect(numbers).toEqual(Array.from({ length: 15 }, (_, i) => `INV-${String(i + 1).padStart(6, '0')}`));
    expect((await tenantCounts(stack, tenantId)).invoices).toBe(15);
  }, 60_000);

  test('void: status void, voided in history, idempotent, and no payments afterwards', async () => {
    const { tenantId, request } = await createTestTenant(stack);
    const c = await newContact(request);
    const inv = await newInvoice(request, c.id);
    const v = await request('POST', `/v1/invoices/${inv.id}/void`, { reason: 'wrong customer' });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ id: inv.id, status: 'void', paid: 0, total: 5000 });
    expect(v.body.payments).toBeUndefined();
    expect((await invoiceRow(stack, inv.id))!.status).toBe('void');
    const detail = await request('GET', `/v1/invoices/${inv.id}`);
    expect(detail.body.status).toBe('void');
    const voided = detail.body.history.filter((h: { type: string }) => h.type === 'voided');
    expect(voided).toHaveLength(1);
    expect(voided[0].data).toEqual({ reason: 'wrong customer' });
    const again = await request('POST', `/v1/invoices/${inv.id}/void`);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('void');
    expectError(await request('POST', `/v1/invoices/${inv.id}/payments`, { amount: 100, method: 'cash' }), 409, 'invoice_void');
    expectError(await request('POST', '/v1/payments', { contactId: c.id, invoiceId: inv.id, amount: 100, method: 'cash' }), 409, 'invoice_void');
    expect((await tenantCounts(stack, tenantId)).payments).toBe(0);
    expect(await countWhere(stack, 'invoice_events', "invoice_id = ? and type = 'voided'", [inv.id])).toBe(1);
  });

  test('a paid invoice cannot be voided (409) and stays paid', async () => {
    const { request } = await createTestTenant(stack);
    const c = await newContact(request);
    const inv = await newInvoice(request, c.id);
    expect((await request('POST', `/v1/invoices/${inv.id}/payments`, { amount: 5000, method: 'wire_transfer' })).status).toBe(201);
    expectError(await request('POST', `/v1/invoices/${inv.id}/void`, {}), 409, 'invoice_paid');
    expect(await invoiceRow(stack, inv.id)).toEqual({ status: 'paid', paid: 5000, due: 0, total: 5000 });
    const detail = await request('GET', `/v1/invoices/${inv.id}`);
    // Reminders aside (scheduled at creation, skipped by the workflow once paid).
    expect(detail.body.history.map((h: { type: string }) => h.type).filter((t: string) => !t.startsWith('reminder_'))).toEqual(['created', 'payment_applied', 'paid']);
  });

  test('a partly paid invoice cannot be voided, not even when the payment lands after the check: its money never stays on a cancelled invoice', async () => {
    const { request } = await createTestTenant(stack);
    const c = await newContact(request);
    const inv = await newInvoice(request, c.id);
    const pay = await request('POST', `/v1/invoices/${inv.id}/payments`, { amount: 1200, method: 'cash' });
    expect(pay.status).toBe(201);
    const refused = await request('POST', `/v1/invoices/${inv.id}/void`, { reason: 'x' });
    expectError(refused, 409, 'invoice_has_payments');
    expect(refused.body.error.details).toEqual({ paid: 1200 });
    expect(await invoiceRow(stack, inv.id)).toEqual({ status: 'open', paid: 1200, due: 3800, total: 5000 });
    // The workflow refuses on its live balance too (a row read before the payment landed says nothing was paid).
    const staleRow = { ...(await stack.orm.em.fork().findOneOrFail(Invoice, { id: inv.id })), paid: 0 } as Invoice;
    await expect(voidInvoiceWorkflow(stack.deps, staleRow, 'raced')).rejects.toMatchObject({ code: 'invoice_has_payments' });
    expect((await invoiceRow(stack, inv.id))!.status).toBe('open');
    // Once its payment is voided the invoice can be: then nothing is owed on it.
    expect((await request('POST', `/v1/payments/${pay.body.id}/void`, { reason: 'entered twice' })).status).toBe(200);
    const voided = await request('POST', `/v1/invoices/${inv.id}/void`, { reason: 'x' });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'void', paid: 0, due: 0 });
  });

  test('void of an unknown invoice is 404', async () => {
    const { request } = await createTestTenant(stack);
    expectError(await request('POST', '/v1/invoices/0190f0f0-0000-7000-8000-000000000000/void', {}), 404, 'not_found');
  });
});

describe('idempotency keys on creation', () => {
  const cases: { name: string; url: (ctx: { contactId: string; invoiceId: string }) => string; body: (ctx: { contactId: string; invoiceId: string }) => Record<string, unknown>; table: string }[] = [
    { name: 'contacts', url: () => '/v1/contacts', body: () => ({ name: 'Idem Contact' }), table: 'contacts' },
    { name: 'deals', url: () => '/v1/deals', body: (c) => ({ name: 'Idem deal', contactId: c.contactId, amount: 10, currency: 'USD' }), table: 'deals' },
    { name: 'invoices', url: () => '/v1/invoices', body: (c) => invoiceBody(c.contactId), table: 'invoices' },
    { name: 'payments', url: () => '/v1/payments', body: (c) => ({ contactId: c.contactId, amount: 10, currency: 'USD', method: 'cash' }), table: 'payments' },
    { name: 'invoice payments', url: (c) => `/v1/invoices/${c.invoiceId}/payments`, body: () => ({ amount: 10, method: 'cash' }), table: 'payments' },
  ];

  test.each(cases)('$name: a retry returns the original (same id, 201) and creates nothing; another body is 422', async ({ url, body, table }) => {
    const { tenantId, request } = await createTestTenant(stack);
    const contactId = (await newContact(request)).id;
    const invoiceId = (await newInvoice(request, contactId)).id;
    const ctx = { contactId, invoiceId };
    const count = () => countWhere(stack, table, 'tenant_id = ?', [tenantId]);
    const start = await count();
    const headers = { 'idempotency-key': `key-${Math.random()}` };
    const first = await request('POST', url(ctx), body(ctx), headers);
    expect(first.status).toBe(201);
    const retries = await Promise.all([1, 2, 3].map(() => request('POST', url(ctx), body(ctx), headers)));
    const settled = [...retries];
    for (const r of settled) {
      expect(r.status).toBe(201);
      expect(r.body).toEqual(first.body);
    }
    expect(await count()).toBe(start + 1);
    const other = await request('POST', url(ctx), { ...body(ctx), ...(table === 'contacts' ? { name: 'Other' } : table === 'invoices' ? { number: 'OTHER-1' } : { amount: 11 }) }, headers);
    expectError(other, 422, 'idempotency_key_reused');
    expect(await count()).toBe(start + 1);
    // a different key creates a second record
    const fresh = await request('POST', url(ctx), body(ctx), { 'idempotency-key': `key-${Math.random()}` });
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(first.body.id);
    expect(await count()).toBe(start + 2);
  });

  test('a GET carrying an Idempotency-Key is never answered from the store', async () => {
    const { request } = await createTestTenant(stack);
    const headers = { 'idempotency-key': 'get-key' };
    const first = await request('GET', '/v1/contacts', undefined, headers);
    await newContact(request, 'Later');
    const second = await request('GET', '/v1/contacts', undefined, headers);
    expect([first.body.data.length, second.body.data.length]).toEqual([0, 1]);
    // and the key is still free for a POST
    expect((await request('POST', '/v1/contacts', { name: 'With key' }, headers)).status).toBe(201);
  });

  test('a key is scoped to its tenant', async () => {
    const a = await createTestTenant(stack);
    const b = await createTestTenant(stack);
    const headers = { 'idempotency-key': `shared-${Math.random()}` };
    const ra = await a.request('POST', '/v1/contacts', { name: 'Same' }, headers);
    const rb = await b.request('POST', '/v1/contacts', { name: 'Same' }, headers);
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect(ra.body.id).not.toBe(rb.body.id);
    expect((await tenantCounts(stack, b.tenantId)).contacts).toBe(1);
  });
});
