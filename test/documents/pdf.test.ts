/**
 * The invoice PDF (GET /v1/invoices/{id}/pdf and the pay page's copy) read back with pdftotext:
 * seller, buyer, number, dates, items, total/paid/due, the plan, how to pay and the status stamp.
 */
import { randomUUID } from 'node:crypto';
import { addDays } from '../../domain/dates';
import { expectError } from '../support/api';
import { eventually } from '../support/fixtures';
import { pdfLines, pdfPages, pdfText } from '../support/pdf';
import { createTestTenant, useTestStack, type TestStack } from '../support/stack';

const stack = useTestStack();
const today = new Date().toISOString().slice(0, 10);

async function getPdf(s: TestStack, url: string, headers: Record<string, string> = {}) {
  const res = await s.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload, json: () => res.json() };
}

/** A payment through the API; on a busy machine the Update may answer 503 payment_pending, so retry with the same key. */
async function pay(t: Awaited<ReturnType<typeof createTestTenant>>, invoiceId: string, amount: number) {
  const key = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const res = await t.request('POST', `/v1/invoices/${invoiceId}/payments`, { amount, method: 'bank_transfer' }, { 'idempotency-key': key });
    if (res.status !== 503 || attempt >= 4) return res.status;
  }
}

async function billedTenant() {
  const t = await createTestTenant(stack);
  const auth = { authorization: `Bearer ${t.apiKey}` };
  await t.request('PUT', '/v1/settings/company', {
    legalName: 'Northwind Traders Ltd',
    address: '12 Harbour Street\nBristol BS1 4QA',
    taxId: 'GB 123 4567 89',
    paymentInstructions: 'Bank transfer to IBAN GB33 BUKB 2020 1555 5555 55, quoting the invoice number.',
  });
  const contact = (await t.request('POST', '/v1/contacts', { name: 'Ada Lovelace', email: 'ada@analytical.example', company: 'Analytical Engines' })).body;
  return { ...t, auth, contact };
}

test('the PDF shows seller, buyer, number, dates, items, totals, the plan with what is paid, and how to pay', async () => {
  const t = await billedTenant();
  const { body: invoice } = await t.request('POST', '/v1/invoices', {
    contactId: t.contact.id,
    currency: 'USD',
    issueDate: addDays(today, -5),
    dueDate: addDays(today, 60),
    lineItems: [
      { description: 'Website redesign', quantity: 1, unitAmount: 240000 },
      { description: 'Hosting, 12 months', quantity: 12, unitAmount: 2500 },
    ],
    paymentPlan: [
      { amount: 90000, date: addDays(today, 1) },
      { amount: 90000, date: addDays(today, 30) },
      { amount: 90000, date: addDays(today, 60) },
    ],
  });
  expect(await pay(t, invoice.id, 120000)).toBe(201);

  const res = await getPdf(stack, `/v1/invoices/${invoice.id}/pdf`, t.auth);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(res.headers['content-disposition']).toBe(`inline; filename="invoice-${invoice.number}.pdf"`);
  expect(res.raw.subarray(0, 5).toString()).toBe('%PDF-');
  const text = pdfText(res.raw);
  const lines = pdfLines(text);
  for (const s of ['Northwind Traders Ltd', '12 Harbour Street', 'Bristol BS1 4QA', 'Tax ID: GB 123 4567 89', 'Ada Lovelace', 'Analytical Engines', 'ada@analytical.example']) expect(text).toContain(s);
  expect(text).toContain('INVOICE');
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`Invoice number\\s+${invoice.number}$`)));
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`Issue date\\s+${addDays(today, -5)}$`)));
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`Due date\\s+${addDays(today, 60)}$`)));
  expect(lines).toContain('Website redesign  1  $2,400.00  $2,400.00');
  expect(lines).toContain('Hosting, 12 months  12  $25.00  $300.00');
  expect(lines).toContain('Total  $2,700.00');
  expect(lines).toContain('Paid  $1,200.00');
  expect(lines).toContain('Due  $1,500.00');
  // Payments cover the plan oldest first: the first instalment is paid, the second partly.
  expect(lines).toContain(`1 of 3  ${addDays(today, 1)}  $900.00  Paid`);
  expect(lines).toContain(`2 of 3  ${addDays(today, 30)}  $900.00  $600.00 open`);
  expect(lines).toContain(`3 of 3  ${addDays(today, 60)}  $900.00  Open`);
  expect(text).toContain('Bank transfer to IBAN GB33 BUKB 2020 1555 5555 55');
  expect(text).toContain(`Pay online: ${invoice.customerUrl}`);
  expect(text).toContain(`Please quote ${invoice.number} with your payment.`);
  expect(text).toContain(`Northwind Traders Ltd · Invoice ${invoice.number} · Page 1 of 1`);
  for (const stamp of ['PAID', 'OVERDUE', 'VOID']) expect(text).not.toMatch(new RegExp(`\\b${stamp}\\b`));

  // The customer's copy from the pay page is the same document.
  const token = invoice.customerUrl.split('/i/')[1];
  const pub = await getPdf(stack, `/v1/public/invoices/${token}/pdf`);
  expect(pub.status).toBe(200);
  expect(pub.headers['content-type']).toBe('application/pdf');
  expect(pub.headers['content-disposition']).toBe(`inline; filename="invoice-${invoice.number}.pdf"`);
  expect(pdfText(pub.raw)).toBe(text);
});

test('the stamp says PAID, OVERDUE or VOID; a void invoice asks for nothing', async () => {
  const t = await billedTenant();
  const make = async (over: Record<string, unknown> = {}) =>
    (await t.request('POST', '/v1/invoices', { contactId: t.contact.id, currency: 'EUR', issueDate: addDays(today, -15), dueDate: addDays(today, 20), lineItems: [{ description: 'Audit', quantity: 1, unitAmount: 50000 }], ...over })).body;
  const textOf = async (id: string) => pdfText((await getPdf(stack, `/v1/invoices/${id}/pdf`, t.auth)).raw);

  const paid = await make();
  expect(await pay(t, paid.id, 50000)).toBe(201);
  const paidText = await textOf(paid.id);
  expect(paidText).toMatch(/\bPAID\b/);
  expect(pdfLines(paidText)).toContain('Due  €0.00');
  expect(paidText).not.toContain('How to pay');

  const overdue = await make({ dueDate: addDays(today, -10) });
  await eventually(async () => expect((await t.request('GET', `/v1/invoices/${overdue.id}`)).body.status).toBe('overdue'));
  const overdueText = await textOf(overdue.id);
  expect(overdueText).toMatch(/\bOVERDUE\b/);
  expect(pdfLines(overdueText)).toContain('Due  €500.00');
  expect(overdueText).toContain('How to pay');

  const voided = await make();
  expect((await t.request('POST', `/v1/invoices/${voided.id}/void`, { reason: 'sent twice' })).status).toBe(200);
  const voidText = await textOf(voided.id);
  expect(voidText).toMatch(/\bVOID\b/);
  expect(pdfLines(voidText)).toContain('Due  €0.00');
  expect(voidText).toContain('This invoice was cancelled: nothing is due.');
  expect(voidText).not.toContain('How to pay');
  // Three workflows moved through payment, the overdue timer and void: slow on a busy 2-core machine.
}, 180_000);

test('money in 0- and 3-decimal currencies, long invoices over several pages, and render time', async () => {
  const t = await billedTenant();
  const { body: kwd } = await t.request('POST', '/v1/invoices', { contactId: t.contact.id, currency: 'KWD', issueDate: today, dueDate: addDays(today, 30), lineItems: [{ description: 'Survey', quantity: 3, unitAmount: 1234567 }] });
  expect(pdfLines(pdfText((await getPdf(stack, `/v1/invoices/${kwd.id}/pdf`, t.auth)).raw))).toContain('Survey  3  KWD 1,234.567  KWD 3,703.701');
  const { body: jpy } = await t.request('POST', '/v1/invoices', { contactId: t.contact.id, currency: 'JPY', issueDate: today, dueDate: addDays(today, 30), lineItems: [{ description: 'Licence', quantity: 2, unitAmount: 98765 }] });
  expect(pdfLines(pdfText((await getPdf(stack, `/v1/invoices/${jpy.id}/pdf`, t.auth)).raw))).toContain('Total  ¥197,530');

  const items = Array.from({ length: 80 }, (_, n) => ({ description: `Item ${n + 1}: ${'a fairly long description of the work '.repeat(n % 3)}`.trim(), quantity: n + 1, unitAmount: 100 + n }));
  const { body: long } = await t.request('POST', '/v1/invoices', { contactId: t.contact.id, currency: 'USD', issueDate: today, dueDate: addDays(today, 30), lineItems: items });
  const started = performance.now();
  const runs = 10;
  let pdf!: Buffer;
  for (let n = 0; n < runs; n++) pdf = (await getPdf(stack, `/v1/invoices/${long.id}/pdf`, t.auth)).raw;
  const perPdf = (performance.now() - started) / runs;
  const text = pdfText(pdf);
  const pages = pdfPages(pdf);
  expect(pages).toBeGreaterThan(1);
  for (const item of items) expect(text).toContain(`Item ${item.description.split(':')[0].slice(5)}`);
  expect(text).toContain(`Page ${pages} of ${pages}`);
  // The header row is repeated on every page of items.
  expect(text.match(/Description\s+Qty\s+Unit price\s+Amount/g)!.length).toBe(pages);
  console.log(`invoice PDF of 80 items (${pages} pages, ${pdf.length} bytes): ${perPdf.toFixed(1)} ms per request`);
  expect(perPdf).toBeLessThan(1000);
});

test('unknown, foreign and malformed invoices and links are refused as JSON errors', async () => {
  const t = await billedTenant();
  const other = await createTestTenant(stack);
  const { body: invoice } = await t.request('POST', '/v1/invoices', { contactId: t.contact.id, currency: 'USD', issueDate: today, dueDate: addDays(today, 30), lineItems: [{ description: 'x', quantity: 1, unitAmount: 100 }] });
  const asJson = async (url: string, headers: Record<string, string> = {}) => {
    const r = await getPdf(stack, url, headers);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    return { status: r.status, body: r.json() };
  };
  expectError(await asJson(`/v1/invoices/${invoice.id}/pdf`, { authorization: `Bearer ${other.apiKey}` }), 404, 'not_found');
  expectError(await asJson('/v1/invoices/0190a0b4-0000-7000-8000-000000000000/pdf', t.auth), 404, 'not_found');
  expectError(await asJson('/v1/invoices/not-a-uuid/pdf', t.auth), 400);
  expectError(await asJson(`/v1/invoices/${invoice.id}/pdf`), 401, 'unauthorized');
  expectError(await asJson('/v1/public/invoices/no-such-link/pdf'), 404, 'not_found');
  // A replaced link no longer opens the PDF.
  const token = invoice.customerUrl.split('/i/')[1];
  await t.request('POST', `/v1/invoices/${invoice.id}/customer-link`);
  expectError(await asJson(`/v1/public/invoices/${token}/pdf`), 404, 'not_found');
});
