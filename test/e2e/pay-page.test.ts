/**
 * The customer's pay page at /i/<token> in a real browser, phone-sized: the balance and plan, Pay by
 * card through the local fake Stripe's Checkout and back, "being processed" until the signed webhook
 * lands, then Paid; the seller's instructions without Stripe; unknown and rotated links not found.
 */
import { addDays } from '../../domain/dates';
import { balance, createWebTenant, screenshot, signIn, useWebStack } from '../support/browser';
import { readInvoice } from '../support/fixtures';
import { checkoutSessionObject, deliver, rid, stripeEvent } from '../support/stripe';

jest.setTimeout(120_000);
const web = useWebStack();
const today = new Date().toISOString().slice(0, 10);
const phone = { width: 390, height: 844 };

async function billedAccount(opts: { stripe: boolean }) {
  const account = await createWebTenant(web, { name: 'Northwind Traders', stripe: opts.stripe });
  await account.request('PUT', '/v1/settings/company', {
    legalName: 'Northwind Traders Ltd',
    address: '12 Harbour Street\nBristol BS1 4QA',
    taxId: 'GB 123 4567 89',
    paymentInstructions: 'Bank transfer to Northwind Traders Ltd, IBAN GB33 BUKB 2020 1555 5555 55, quoting the invoice number.',
  });
  const contact = (await account.request('POST', '/v1/contacts', { name: 'Ada Lovelace', email: 'ada@analytical.example' })).body;
  const { body: invoice } = await account.request('POST', '/v1/invoices', {
    contactId: contact.id,
    currency: 'USD',
    issueDate: addDays(today, -5),
    dueDate: addDays(today, 25),
    lineItems: [
      { description: 'Website redesign', quantity: 1, unitAmount: 240000 },
      { description: 'Hosting, 12 months', quantity: 12, unitAmount: 2500 },
    ],
    paymentPlan: [
      { amount: 90000, date: addDays(today, -1) },
      { amount: 90000, date: addDays(today, 10) },
      { amount: 90000, date: addDays(today, 25) },
    ],
  });
  await account.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 90000, method: 'bank_transfer' });
  const { body: detail } = await account.request('GET', `/v1/invoices/${invoice.id}`);
  return { ...account, contact, invoice: detail };
}

test('the pay page shows the seller, items, balance and plan; Pay by card goes through Checkout and ends Paid after the signed webhook', async () => {
  const account = await billedAccount({ stripe: true });
  expect(account.invoice.customerUrl).toMatch(new RegExp(`^${web.baseUrl}/i/[A-Za-z0-9_-]{22,}$`));
  const page = await web.newPage(phone);
  const response = await page.goto(account.invoice.customerUrl);
  expect(response?.headers()['referrer-policy']).toBe('no-referrer');
  await page.getByRole('heading', { name: `Invoice ${account.invoice.number} Open` }).waitFor();
  await page.getByText('Northwind Traders Ltd', { exact: true }).waitFor();
  expect(await page.title()).toBe(`Invoice ${account.invoice.number} · Northwind Traders Ltd`);
  expect(await balance(page, 'Total').innerText()).toBe('$2,700.00');
  expect(await balance(page, 'Paid').innerText()).toBe('$900.00');
  expect(await balance(page, 'Due').innerText()).toBe('$1,800.00');
  expect(await page.getByRole('table', { name: 'Items' }).getByRole('row').nth(2).getByRole('cell').allInnerTexts()).toEqual(['Hosting, 12 months', '12', '$300.00']);
  expect(await page.getByRole('table', { name: 'Payment plan' }).getByRole('row').locator('td:last-child').allInnerTexts()).toEqual(['Paid', 'Open', 'Open']);
  await page.getByText('IBAN GB33 BUKB').waitFor();
  // Nothing wider than the phone's screen.
  expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
  await screenshot(page, 'pay-page');

  await page.getByRole('button', { name: 'Pay by card' }).click();
  await page.waitForURL(/\?checkout=success$/);
  await page.getByRole('status').filter({ hasText: 'Your payment is being processed' }).waitFor();
  const session = web.fake.requests.find((r) => r.path === '/v1/checkout/sessions')!;
  expect(Number(session.form['line_items[0][price_data][unit_amount]'])).toBe(180000);
  expect(session.form.success_url).toBe(`${account.invoice.customerUrl}?checkout=success`);

  // Stripe's webhook lands; the page turns to Paid by itself.
  const completed = stripeEvent('checkout.session.completed', checkoutSessionObject({ paymentIntentId: rid('pi'), amount: 180000, tenantId: account.tenantId, invoiceId: account.invoice.id }));
  expect((await deliver(web.stack, account.tenantId, completed, account.webhookSecret)).status).toBe(200);
  await page.getByRole('heading', { name: `Invoice ${account.invoice.number} Paid` }).waitFor({ timeout: 20_000 });
  await page.getByText('Paid in full. Thank you.').waitFor();
  expect(await balance(page, 'Due').innerText()).toBe('$0.00');
  expect(await page.getByRole('button', { name: 'Pay by card' }).count()).toBe(0);
  expect(await readInvoice(web.stack.orm, account.invoice.id)).toMatchObject({ status: 'paid', due: 0 });
  await page.context().close();
});

test('without Stripe the page shows the balance and how to pay by other means', async () => {
  const account = await billedAccount({ stripe: false });
  const page = await web.newPage(phone);
  await page.goto(account.invoice.customerUrl);
  await page.getByRole('heading', { name: 'How to pay' }).waitFor();
  await page.getByText('quoting the invoice number').waitFor();
  expect(await page.getByRole('button', { name: 'Pay by card' }).count()).toBe(0);
  expect(await balance(page, 'Due').innerText()).toBe('$1,800.00');
  await page.context().close();
});

test('a credit note and a write-off appear in the balance; a written-off invoice says nothing more is due, not paid in full', async () => {
  const account = await billedAccount({ stripe: false });
  const { id } = account.invoice;
  expect((await account.request('POST', `/v1/invoices/${id}/credit-notes`, { amount: 30000, reason: 'hosting not needed' })).status).toBe(201);
  const page = await web.newPage(phone);
  await page.goto(account.invoice.customerUrl);
  await page.getByRole('heading', { name: 'How to pay' }).waitFor();
  // $2,700.00 − $300.00 credited − $900.00 paid = $1,500.00 due
  expect(await balance(page, 'Total').innerText()).toBe('$2,700.00');
  expect(await balance(page, 'Credited').innerText()).toBe('$300.00');
  expect(await balance(page, 'Paid').innerText()).toBe('$900.00');
  expect(await balance(page, 'Due').innerText()).toBe('$1,500.00');
  const planStatus = () => page.getByRole('table', { name: 'Payment plan' }).getByRole('row').locator('td:last-child').allInnerTexts();
  // The credit note settles the plan after the payments: the second instalment is partly open.
  expect(await planStatus()).toEqual(['Paid', '$600.00 open', 'Open']);

  expect((await account.request('POST', `/v1/invoices/${id}/write-off`, { reason: 'goodwill' })).status).toBe(200);
  await page.reload();
  await page.getByText('Nothing more is due.').waitFor();
  await page.getByRole('heading', { name: `Invoice ${account.invoice.number} Closed` }).waitFor();
  expect(await balance(page, 'Written off').innerText()).toBe('$1,500.00');
  expect(await balance(page, 'Due').innerText()).toBe('$0.00');
  expect(await page.getByText('Paid in full').count()).toBe(0);
  // What the write-off closed was not paid.
  expect(await planStatus()).toEqual(['Paid', 'Nothing due', 'Nothing due']);
  await screenshot(page, 'pay-page-written-off');
  await page.context().close();
});

test('Copy customer link gives the pay page link; an unknown or rotated link is a plain not-found page', async () => {
  const account = await billedAccount({ stripe: false });
  const page = await web.newPage();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.baseUrl });
  await signIn(page, account.apiKey, `/app/invoices/${account.invoice.id}`);
  await page.getByRole('button', { name: 'Copy customer link' }).click();
  await page.getByRole('status').filter({ hasText: `Customer link copied: ${account.invoice.customerUrl}` }).waitFor();
  expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(account.invoice.customerUrl);

  const unknown = await web.newPage(phone);
  expect((await unknown.goto(`/i/${'x'.repeat(43)}`))?.status()).toBe(404);
  await unknown.getByRole('heading', { name: 'This payment link is not valid' }).waitFor();
  expect(await unknown.getByText(account.invoice.number).count()).toBe(0);

  const rotated = await account.request('POST', `/v1/invoices/${account.invoice.id}/customer-link`);
  expect(rotated.body.customerUrl).not.toBe(account.invoice.customerUrl);
  expect((await unknown.goto(account.invoice.customerUrl))?.status()).toBe(404);
  await unknown.getByRole('heading', { name: 'This payment link is not valid' }).waitFor();
  await unknown.goto(rotated.body.customerUrl);
  await unknown.getByRole('heading', { name: `Invoice ${account.invoice.number} Open` }).waitFor();
  await page.context().close();
  await unknown.context().close();
});
