/**
 * The team's app at /app in a real browser against the real API and worker: sign-in, the three
 * tabs, filters and search, the drill-down and its actions, new invoice with a plan, plan gating,
 * tenant isolation, keyboard-only use. Elements are found by role and name, as people find them.
 */
import type { Page } from 'playwright-core';
import { addDays } from '../../domain/dates';
import { balance, createWebTenant, screenshot, signIn, useWebStack, type ApiRequest } from '../support/browser';
import { eventually, readInvoice } from '../support/fixtures';
import { createSignInLink } from '../../services/sessions';

jest.setTimeout(120_000);
const web = useWebStack();
const today = new Date().toISOString().slice(0, 10);

/** Contacts, a deal and four invoices: open with a plan, overdue, paid and void. */
async function seed(request: ApiRequest) {
  const contact = async (name: string, email: string, company: string) => (await request('POST', '/v1/contacts', { name, email, company })).body;
  const ada = await contact('Ada Lovelace', 'ada@analytical.example', 'Analytical Engines');
  const grace = await contact('Grace Hopper', 'grace@cobol.example', 'Compiler Works');
  const alan = await contact('Alan Turing', 'alan@bletchley.example', 'Bletchley Labs');
  const deal = (await request('POST', '/v1/deals', { name: 'Annual support 2027', contactId: ada.id, amount: 200000, currency: 'USD' })).body;
  const invoice = async (body: Record<string, unknown>) => {
    const res = await request('POST', '/v1/invoices', { currency: 'USD', ...body });
    if (res.status !== 201) throw new Error(`invoice: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const open = await invoice({
    contactId: ada.id,
    dealId: deal.id,
    issueDate: addDays(today, -10),
    dueDate: addDays(today, 20),
    lineItems: [
      { description: 'Consulting, 2 days', quantity: 2, unitAmount: 75000 },
      { description: 'Support plan', quantity: 1, unitAmount: 50000 },
    ],
    paymentPlan: [
      { amount: 100000, date: addDays(today, 5), method: 'bank_transfer' },
      { amount: 100000, date: addDays(today, 20), method: 'card' },
    ],
  });
  const overdue = await invoice({ contactId: grace.id, issueDate: addDays(today, -60), dueDate: addDays(today, -15), lineItems: [{ description: 'Compiler audit', quantity: 1, unitAmount: 120000 }] });
  const paid = await invoice({ contactId: alan.id, issueDate: addDays(today, -20), dueDate: addDays(today, 10), lineItems: [{ description: 'Cipher review', quantity: 3, unitAmount: 15000 }] });
  const toVoid = await invoice({ contactId: grace.id, issueDate: addDays(today, -2), dueDate: addDays(today, 30), lineItems: [{ description: 'Training', quantity: 1, unitAmount: 8000 }] });
  await request('POST', `/v1/invoices/${paid.id}/payments`, { amount: 45000, method: 'wire_transfer', reference: 'WIRE-7731' });
  await request('POST', `/v1/invoices/${open.id}/payments`, { amount: 60000, method: 'bank_transfer', reference: 'TRX-0042' });
  await request('POST', `/v1/invoices/${toVoid.id}/void`, { reason: 'Issued twice' });
  await eventually(async () => expect((await readInvoice(web.stack.orm, overdue.id))?.status).toBe('overdue'), 20_000);
  return { ada, grace, alan, deal, open, overdue, paid, toVoid };
}

let account: Awaited<ReturnType<typeof createWebTenant>>;
let data: Awaited<ReturnType<typeof seed>>;
beforeAll(async () => {
  account = await createWebTenant(web);
  data = await seed(account.request);
});

const columnNames = async (page: Page, table: string) => (await page.getByRole('table', { name: table }).getByRole('columnheader').allTextContents()).map((t) => t.replace(/[▲▼↕]/g, '').trim());
const rowOf = (page: Page, table: string, text: string) => page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: text });

/** The text and role of the element that has the keyboard focus. */
const focused = (page: Page) =>
  page.evaluate(() => {
    type Focused = { textContent: string | null; getAttribute(n: string): string | null; labels?: { textContent: string | null }[] };
    const el = (globalThis as unknown as { document: { activeElement: Focused | null } }).document.activeElement;
    return { text: el?.textContent ?? null, name: el?.getAttribute('aria-label') ?? el?.textContent ?? null, role: el?.getAttribute('role') ?? null, label: el?.labels?.[0]?.textContent ?? null };
  });

async function until(check: () => Promise<void>, timeoutMs = 10_000) {
  await eventually(check, timeoutMs);
}

test('sign in with an API key, and sign out ends the session', async () => {
  const page = await web.newPage();
  await page.goto('/app');
  await page.getByRole('heading', { name: 'Sign in to Payment Center' }).waitFor();
  await page.getByLabel('API key').fill('pc_not_a_real_key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'This API key is not valid' }).waitFor();

  await page.getByLabel('API key').fill(account.apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: 'Invoices', selected: true }).waitFor();
  expect(await page.getByRole('tab').allInnerTexts()).toEqual(['Invoices', 'Payments', 'Payment plans']);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'pc_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

  // A reload keeps the session (cookie); Sign out ends it on the server too.
  await page.reload();
  await page.getByRole('tab', { name: 'Invoices', selected: true }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Payment Center' }).waitFor();
  const res = await web.stack.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `pc_session=${cookie!.value}` } });
  expect(res.statusCode).toBe(401);
  await page.context().close();
});

test('a one-time sign-in link from the admin CLI signs in once', async () => {
  const { url } = await createSignInLink(web.stack.deps, account.tenantId);
  const page = await web.newPage();
  await page.goto(url);
  await page.getByRole('tab', { name: 'Invoices', selected: true }).waitFor();
  expect(page.url()).toBe(`${web.baseUrl}/app`);
  const again = await web.newPage();
  await again.goto(url);
  await again.getByRole('alert').filter({ hasText: 'This sign-in link is not valid any more' }).waitFor();
  await page.context().close();
  await again.context().close();
});

test('each tab shows its columns; the Invoices tab has the summary strip with aging', async () => {
  const page = await web.newPage();
  await signIn(page, account.apiKey);
  await rowOf(page, 'Invoices', data.open.number).waitFor();
  expect(await columnNames(page, 'Invoices')).toEqual(['Invoice number', 'Contact', 'Deal', 'Invoice date', 'Due date', 'Paid', 'Due', 'Total', 'Status']);
  const open = rowOf(page, 'Invoices', data.open.number);
  await until(async () => expect(await open.getByRole('cell').allInnerTexts()).toEqual([data.open.number, 'Ada Lovelace', 'Annual support 2027', expect.any(String), expect.any(String), '$600.00', '$1,400.00', '$2,000.00', 'Open']));
  expect(await rowOf(page, 'Invoices', data.overdue.number).getByRole('cell').last().innerText()).toBe('Overdue');
  expect(await rowOf(page, 'Invoices', data.paid.number).getByRole('cell').last().innerText()).toBe('Paid');
  expect(await rowOf(page, 'Invoices', data.toVoid.number).getByRole('cell').last().innerText()).toBe('Void');
  const summary = page.getByRole('region', { name: 'Summary' });
  await until(async () => expect(await summary.textContent()).toMatch(/Overdue\s*\$1,200\.00/));
  expect(await summary.textContent()).toMatch(/Open\s*\$1,400\.00 \(1\)/);
  expect(await summary.textContent()).toMatch(/Current\s*\$1,400\.00/);
  expect(await summary.textContent()).toMatch(/1–30 days\s*\$1,200\.00/);
  expect(await page.title()).toBe('Invoices · Payment Center');
  await screenshot(page, 'invoices');

  await page.getByRole('tab', { name: 'Payments' }).click();
  await rowOf(page, 'Payments', 'WIRE-7731').waitFor();
  expect(await columnNames(page, 'Payments')).toEqual(['Contact', 'Amount', 'Invoice', 'Payment date', 'Method', 'Source/reference', 'Status']);
  expect(await rowOf(page, 'Payments', 'WIRE-7731').getByRole('cell').allInnerTexts()).toEqual(['Alan Turing', '$450.00', data.paid.number, expect.any(String), 'Wire transfer', 'Manual · WIRE-7731', 'Received']);
  expect(await page.title()).toBe('Payments · Payment Center');
  await screenshot(page, 'payments');

  await page.getByRole('tab', { name: 'Payment plans' }).click();
  await rowOf(page, 'Payment plans', 'Ada Lovelace').first().waitFor();
  expect(await columnNames(page, 'Payment plans')).toEqual(['Invoice number', 'Amount', 'Recommended method', 'Payment date', 'Contact']);
  await page.getByText('Planned payments are for reference only: customers may pay any amount on any day').waitFor();
  expect(await rowOf(page, 'Payment plans', 'Ada Lovelace').first().getByRole('cell').allInnerTexts()).toEqual([data.open.number, '$1,000.00', 'Bank transfer', expect.any(String), 'Ada Lovelace']);
  expect(await page.title()).toBe('Payment plans · Payment Center');
  await screenshot(page, 'payment-plans');
  // A planned payment leads to its invoice.
  await rowOf(page, 'Payment plans', 'Ada Lovelace').first().getByRole('link', { name: data.open.number }).click();
  await page.getByRole('heading', { name: `Invoice ${data.open.number}` }).waitFor();
  await page.context().close();
});

test('filter by status and contact, search by number or contact, sort by total; the filters live in the URL', async () => {
  const page = await web.newPage();
  await signIn(page, account.apiKey);
  const numbers = () => page.getByRole('table', { name: 'Invoices' }).getByRole('row').locator('td:first-child').allInnerTexts();
  await until(async () => expect(await numbers()).toHaveLength(4));

  await page.getByLabel('Status').selectOption({ label: 'Overdue' });
  await until(async () => expect(await numbers()).toEqual([data.overdue.number]));
  expect(page.url()).toContain('status=overdue');
  await until(async () => expect(await page.getByRole('region', { name: 'Summary' }).textContent()).toMatch(/Open\s*\$0\.00/));

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill('grace');
  await until(async () => expect((await numbers()).sort()).toEqual([data.overdue.number, data.toVoid.number].sort()));
  await page.getByRole('searchbox', { name: 'Search' }).fill(data.paid.number);
  await until(async () => expect(await numbers()).toEqual([data.paid.number]));

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('combobox', { name: 'Contact' }).fill('Ada');
  await page.getByRole('option', { name: /Ada Lovelace/ }).click();
  await until(async () => expect(await numbers()).toEqual([data.open.number]));
  expect(page.url()).toContain(`contactId=${data.ada.id}`);

  // Reloading the filtered URL shows the same list.
  await page.reload();
  await until(async () => expect(await numbers()).toEqual([data.open.number]));
  await page.getByRole('button', { name: 'Clear filters' }).click();

  await page.getByRole('button', { name: 'Total' }).click();
  await until(async () => expect(await numbers()).toEqual([data.toVoid.number, data.paid.number, data.overdue.number, data.open.number]));
  expect(await page.getByRole('columnheader', { name: 'Total' }).getAttribute('aria-sort')).toBe('ascending');
  await page.getByRole('button', { name: 'Total' }).click();
  await until(async () => expect(await numbers()).toEqual([data.open.number, data.overdue.number, data.paid.number, data.toVoid.number]));

  // A date range that ends before it starts is flagged at the field, not sent.
  await page.getByLabel('From').last().fill('2026-05-01');
  await page.getByLabel('To').last().fill('2026-04-01');
  await page.getByText('Must be on or after the start date').waitFor();
  await page.context().close();
});

test('the Invoices tab pages through the cursor API, and a new order starts again at page 1', async () => {
  const many = await createWebTenant(web, { name: 'Busy Books' });
  const { body: contact } = await many.request('POST', '/v1/contacts', { name: 'Paging Customer' });
  for (let i = 1; i <= 27; i++) {
    await many.request('POST', '/v1/invoices', { contactId: contact.id, currency: 'USD', issueDate: today, dueDate: addDays(today, i), lineItems: [{ description: 'Line', quantity: 1, unitAmount: 1000 * i }] });
  }
  const page = await web.newPage();
  await signIn(page, many.apiKey);
  const refused: string[] = [];
  page.on('response', (res) => void (res.url().includes('/v1/') && res.status() >= 400 && refused.push(`${res.status()} ${res.url()}`)));
  const rows = page.getByRole('table', { name: 'Invoices' }).getByRole('row');
  await until(async () => expect(await rows.count()).toBe(26)); // header + 25
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Page 2').waitFor();
  await until(async () => expect(await rows.count()).toBe(3));
  expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Total' }).click(); // page 2's cursor belongs to the old order
  await until(async () => expect(await rows.nth(1).getByRole('cell').nth(7).innerText()).toBe('$10.00'));
  expect(await rows.count()).toBe(26);
  expect(await page.getByRole('alert').count()).toBe(0);
  expect(refused).toEqual([]); // no old cursor was sent with the new order
  await page.getByRole('button', { name: 'Next page' }).click();
  await until(async () => expect(await rows.nth(2).getByRole('cell').nth(7).innerText()).toBe('$270.00'));
  await page.getByRole('button', { name: 'Previous page' }).click();
  await until(async () => expect(await rows.nth(1).getByRole('cell').nth(7).innerText()).toBe('$10.00'));
  await page.context().close();
});

test('drill-down: header, line items, plan with covered flags, payments and history; Make a payment updates Paid and Due without a reload', async () => {
  const page = await web.newPage();
  await signIn(page, account.apiKey);
  await page.getByRole('link', { name: data.open.number }).click();
  await page.getByRole('heading', { name: `Invoice ${data.open.number} Open` }).waitFor();
  expect(await page.title()).toBe(`${data.open.number} · Payment Center`);
  expect(await balance(page, 'Total').innerText()).toBe('$2,000.00');
  expect(await balance(page, 'Paid').innerText()).toBe('$600.00');
  expect(await balance(page, 'Due').innerText()).toBe('$1,400.00');
  expect(await rowOf(page, 'Line items', 'Consulting').getByRole('cell').allInnerTexts()).toEqual(['Consulting, 2 days', '2', '$750.00', '$1,500.00']);
  const plan = page.getByRole('table', { name: 'Payment plan' }).getByRole('row');
  expect(await plan.nth(1).getByRole('cell').last().innerText()).toBe('Partly: $400.00 open');
  expect(await plan.nth(2).getByRole('cell').last().innerText()).toBe('Not covered');
  expect(await rowOf(page, 'Payments', 'TRX-0042').getByRole('cell').allInnerTexts()).toEqual([expect.any(String), '$600.00', 'Bank transfer', 'Manual · TRX-0042', 'Received', 'Void']);
  const history = page.getByRole('region', { name: 'History' }).getByRole('listitem');
  await until(async () => expect((await history.allInnerTexts()).join('\n')).toMatch(/Created for \$2,000\.00[\s\S]*Payment of \$600\.00 received/));
  // The reminder schedule stored at creation is one entry with its days, not a line per reminder.
  const planned = (await history.allInnerTexts()).filter((t) => /reminders? planned/i.test(t));
  expect(planned).toEqual([expect.stringMatching(/\d+ reminders planned: [A-Z][a-z]{2} \d{1,2}, \d{4}(, [A-Z][a-z]{2} \d{1,2}, \d{4})+$/)]);
  // …in date order.
  const plannedDays = planned[0].match(/[A-Z][a-z]{2} \d{1,2}, \d{4}/g)!.map((d) => Date.parse(d));
  expect(plannedDays).toEqual([...plannedDays].sort((a, b) => a - b));
  expect(await page.getByRole('link', { name: /Workflow in Temporal UI/ }).getAttribute('href')).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/invoice-${data.open.id}`);
  await screenshot(page, 'invoice');

  await page.evaluate(() => ((globalThis as { notReloaded?: boolean }).notReloaded = true));
  await page.getByRole('button', { name: 'Make a payment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Make a payment' });
  expect(await dialog.getByRole('combobox', { name: 'Contact' }).inputValue()).toBe('Ada Lovelace');
  expect(await dialog.getByLabel('Invoice (optional)').inputValue()).toBe(data.open.id);
  expect(await dialog.getByLabel('Date').inputValue()).toBe(today);
  await dialog.getByLabel('Amount').fill('400.00');
  await dialog.getByLabel('Method').selectOption({ label: 'Check' });
  await dialog.getByLabel('Reference (optional)').fill('CHK-118');
  await dialog.getByRole('button', { name: 'Record payment' }).click();
  await dialog.waitFor({ state: 'detached' });
  await until(async () => expect(await balance(page, 'Paid').innerText()).toBe('$1,000.00'));
  expect(await balance(page, 'Due').innerText()).toBe('$1,000.00');
  expect(await plan.nth(1).getByRole('cell').last().innerText()).toBe('Covered');
  await rowOf(page, 'Payments', 'CHK-118').waitFor();
  expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await page.context().close();
});

test('an overpayment is refused with how much is due, next to the amount', async () => {
  const page = await web.newPage();
  await signIn(page, account.apiKey, `/app/invoices/${data.overdue.id}`);
  await page.getByRole('heading', { name: `Invoice ${data.overdue.number} Overdue` }).waitFor();
  await page.getByRole('button', { name: 'Make a payment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Make a payment' });
  await dialog.getByLabel('Amount').fill('1,500.00');
  await dialog.getByRole('button', { name: 'Record payment' }).click();
  const amount = dialog.getByLabel('Amount');
  await until(async () => expect(await amount.getAttribute('aria-invalid')).toBe('true'));
  const message = await page.locator(`#${await amount.getAttribute('aria-describedby').then((ids) => ids!.split(' ')[0])}`).innerText();
  expect(message).toBe('The amount is more than is due: $1,200.00 is due on this invoice. Record the rest as a payment without an invoice.');
  expect((await readInvoice(web.stack.orm, data.overdue.id))?.paid).toBe(0);
  // Escape closes the dialog; nothing was recorded.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect(await balance(page, 'Paid').innerText()).toBe('$0.00');
  await page.context().close();
});

test('Void asks to confirm, takes a reason, and the invoice shows Void with the reason in its history', async () => {
  const { body: inv } = await account.request('POST', '/v1/invoices', { contactId: data.alan.id, currency: 'USD', issueDate: today, dueDate: addDays(today, 14), lineItems: [{ description: 'Workshop', quantity: 1, unitAmount: 30000 }] });
  const page = await web.newPage();
  await signIn(page, account.apiKey, `/app/invoices/${inv.id}`);
  await page.getByRole('button', { name: 'Void' }).click();
  const dialog = page.getByRole('dialog', { name: `Void invoice ${inv.number}?` });
  await dialog.getByRole('button', { name: 'Keep invoice' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect((await readInvoice(web.stack.orm, inv.id))?.status).toBe('open');

  await page.getByRole('button', { name: 'Void' }).click();
  await dialog.getByLabel('Reason').fill('Customer cancelled the workshop');
  await dialog.getByRole('button', { name: 'Void invoice' }).click();
  await page.getByRole('heading', { name: `Invoice ${inv.number} Void` }).waitFor();
  await page.getByRole('region', { name: 'History' }).getByText(/^Voided/).waitFor();
  expect(await page.getByRole('button', { name: 'Make a payment' }).isDisabled()).toBe(true);
  expect((await readInvoice(web.stack.orm, inv.id))?.status).toBe('void');
  // An invoice with payments cannot be voided (the API refuses it): its button is off and says why.
  await page.goto(`/app/invoices/${data.open.id}`);
  const voidButton = page.getByRole('group', { name: 'Invoice actions' }).getByRole('button', { name: 'Void', exact: true });
  await page.getByRole('heading', { name: new RegExp(`^Invoice ${data.open.number}`) }).waitFor();
  expect(await voidButton.isDisabled()).toBe(true);
  expect(await voidButton.getAttribute('title')).toBe('An invoice with payments cannot be voided: void or refund its payments first.');
  await page.context().close();
});

test('New invoice with a searchable contact, two line items with a live total and a 3-instalment plan', async () => {
  const page = await web.newPage();
  await signIn(page, account.apiKey);
  await page.getByRole('link', { name: 'New invoice' }).click();
  await page.getByRole('heading', { name: 'New invoice' }).waitFor();
  await page.getByRole('combobox', { name: 'Contact' }).fill('gra');
  await page.getByRole('option', { name: /Grace Hopper/ }).click();
  await page.getByLabel('Due date').fill(addDays(today, 90));
  await page.getByLabel('Line 1 Description').fill('Compiler training');
  await page.getByLabel('Line 1 Quantity').fill('3');
  await page.getByLabel('Line 1 Unit price (USD)').fill('333.33');
  await page.getByRole('button', { name: 'Add line item' }).click();
  await page.getByLabel('Line 2 Description').fill('Course book');
  await page.getByLabel('Line 2 Unit price (USD)').fill('10.10');
  expect(await page.getByLabel('Invoice total').innerText()).toBe('$1,010.09');

  await page.getByLabel('Split into instalments').check();
  await page.getByLabel('Number of instalments').fill('3');
  await page.getByRole('button', { name: 'Split', exact: true }).click();
  expect(await page.getByLabel('Instalment 3 Amount (USD)').inputValue()).toBe('336.71');
  expect(await page.getByLabel('Instalment 1 Amount (USD)').inputValue()).toBe('336.69');
  // An edit that breaks the sum is flagged before anything is sent.
  await page.getByLabel('Instalment 1 Amount (USD)').fill('300.00');
  await page.getByText('Instalments add up to $973.40, the invoice total is $1,010.09: $36.69 still to plan').waitFor();
  await page.getByLabel('Instalment 1 Amount (USD)').fill('336.69');
  await page.getByText('Instalments add up to the total, $1,010.09.').waitFor();

  await page.getByRole('button', { name: 'Create invoice' }).click();
  await page.getByRole('heading', { name: /^Invoice INV-\d+ Open$/ }).waitFor();
  expect(await balance(page, 'Total').innerText()).toBe('$1,010.09');
  const id = page.url().split('/').pop()!;
  const { body } = await account.request('GET', `/v1/invoices/${id}`);
  expect(body.lineItems.map((l: { amount: number }) => l.amount)).toEqual([99999, 1010]);
  expect(body.paymentPlan.map((p: { amount: number }) => p.amount)).toEqual([33669, 33669, 33671]);
  expect(body.paymentPlan.at(-1).date).toBe(addDays(today, 90));
  expect(await page.getByRole('table', { name: 'Payment plan' }).getByRole('row').count()).toBe(4);
  await page.context().close();
});

test("New invoice shows the API's refusal on the field it is about", async () => {
  const page = await web.newPage();
  await signIn(page, account.apiKey, '/app/invoices/new');
  await page.getByRole('combobox', { name: 'Contact' }).fill('Alan');
  await page.getByRole('option', { name: /Alan Turing/ }).click();
  await page.getByLabel('Invoice number (optional)').fill(data.paid.number);
  await page.getByLabel('Line 1 Description').fill('Second review');
  await page.getByLabel('Line 1 Unit price (USD)').fill('90');
  await page.getByRole('button', { name: 'Create invoice' }).click();
  const number = page.getByLabel('Invoice number (optional)');
  await until(async () => expect(await number.getAttribute('aria-invalid')).toBe('true'));
  const described = (await number.getAttribute('aria-describedby'))!.split(' ');
  expect(await page.locator(`[id="${described[0]}"]`).innerText()).toBe('Another invoice already has this number.');
  expect(page.url()).toContain('/app/invoices/new');
  await page.context().close();
});

test('a Starter account signs in and sees that the Payment Center needs the Professional plan', async () => {
  const starter = await createWebTenant(web, { name: 'Small Shop', plan: 'starter' });
  const page = await web.newPage();
  await signIn(page, starter.apiKey);
  await page.getByRole('heading', { name: 'The Payment Center needs the Professional plan' }).waitFor();
  await page.getByText('Your account is on the Starter plan.').waitFor();
  expect(await page.getByRole('tab').count()).toBe(0);
  await page.context().close();
});

test("another account's invoice is a not-found page", async () => {
  const other = await createWebTenant(web, { name: 'Other Company' });
  const page = await web.newPage();
  await signIn(page, other.apiKey, `/app/invoices/${data.open.id}`);
  await page.getByRole('heading', { name: 'Invoice not found' }).waitFor();
  expect(await page.getByText(data.open.number).count()).toBe(0);
  await page.goto('/app/invoices/not-a-uuid');
  await page.getByRole('heading', { name: 'Invoice not found' }).waitFor();
  await page.context().close();
});

test('make a payment with the keyboard only; the dialog keeps focus inside and closes on Escape', async () => {
  const page = await web.newPage();
  await signIn(page, account.apiKey, '/app/payments');
  await page.getByRole('tab', { name: 'Payments', selected: true }).waitFor();
  // Arrow keys move between tabs.
  await page.getByRole('tab', { name: 'Payments' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.getByRole('tab', { name: 'Payment plans', selected: true }).waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.getByRole('tab', { name: 'Payments', selected: true }).waitFor();

  const makePayment = page.getByRole('button', { name: 'Make a payment' });
  await makePayment.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Make a payment' });
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect((await focused(page)).text).toBe('Make a payment');

  await page.keyboard.press('Enter');
  await dialog.waitFor();
  // Focus starts in Contact; Shift+Tab past the first control (Close) wraps to the last, and Tab wraps back.
  expect((await focused(page)).role).toBe('combobox');
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).name).toBe('Close');
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).name).toBe('Record payment');
  await page.keyboard.press('Tab');
  expect((await focused(page)).name).toBe('Close');
  await page.keyboard.press('Tab');
  expect((await focused(page)).role).toBe('combobox');

  await page.keyboard.type('Grace');
  await dialog.getByRole('option', { name: /Grace Hopper/ }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.type('200');
  await page.keyboard.press('Tab');
  // Only Grace's open invoices are offered, overdue first; her void one is not.
  await until(async () => expect((await dialog.getByLabel('Invoice (optional)').getByRole('option').allTextContents())[1]).toMatch(new RegExp(`^${data.overdue.number}`)));
  expect((await dialog.getByLabel('Invoice (optional)').getByRole('option').allTextContents()).join()).not.toContain(data.toVoid.number);
  await page.keyboard.press('ArrowDown');
  expect(await dialog.getByLabel('Invoice (optional)').inputValue()).toBe(data.overdue.id);
  // On through Date (today; Chromium stops on its month, day and year) and Method to Reference.
  for (let i = 0; i < 6 && (await focused(page)).label !== 'Reference (optional)'; i++) await page.keyboard.press('Tab');
  expect((await focused(page)).label).toBe('Reference (optional)');
  await page.keyboard.type('KB-1');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });
  await rowOf(page, 'Payments', 'KB-1').waitFor();
  expect(await rowOf(page, 'Payments', 'KB-1').getByRole('cell').allInnerTexts()).toEqual(['Grace Hopper', '$200.00', data.overdue.number, expect.any(String), 'Bank transfer', 'Manual · KB-1', 'Received']);
  expect(await readInvoice(web.stack.orm, data.overdue.id)).toMatchObject({ paid: 20000, due: 100000 });
  await page.context().close();
});

test('Settings: the reminder policy is saved, Stripe shows connected with the last 4 of its key, API keys say where they are managed', async () => {
  const stripe = await createWebTenant(web, { name: 'Card Shop', stripe: true });
  const page = await web.newPage();
  await signIn(page, stripe.apiKey, '/app/settings');
  const status = page.getByRole('region', { name: 'Stripe integration' });
  await status.getByText('Connected', { exact: true }).waitFor();
  await status.getByText('ends in 0001').waitFor();
  await page.getByRole('region', { name: 'API keys' }).getByText(`npx payment-center keys list --tenant ${stripe.tenantId}`).waitFor();

  const reminders = page.getByRole('form', { name: 'Reminder policy' });
  await reminders.getByLabel('Days after the due date').fill('2, 9, 30');
  await reminders.getByLabel('Remind before and on planned payment dates').uncheck();
  await reminders.getByRole('button', { name: 'Save reminder policy' }).click();
  await reminders.getByText('Reminder policy saved.').waitFor();
  expect((await stripe.request('GET', '/v1/settings/reminders')).body).toMatchObject({ installments: { enabled: false }, dunning: { enabled: true, offsets: [2, 9, 30] } });
  await reminders.getByLabel('Days after the due date').fill('2, soon');
  await reminders.getByRole('button', { name: 'Save reminder policy' }).click();
  await reminders.getByText('Whole numbers of days after the due date, separated by commas').waitFor();
  await page.context().close();
});

/** How far the page is wider than its window (0: nothing to scroll sideways). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return doc.scrollWidth - doc.clientWidth;
  });

/** The page's full width against its window's (QA measured documentElement.scrollWidth, 4260 px on a 390 px phone). */
const pageWidth = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
    return { scrollWidth: g.document.documentElement.scrollWidth, innerWidth: g.innerWidth };
  });
const expectNoSidewaysScroll = async (page: Page) => {
  const { scrollWidth, innerWidth } = await pageWidth(page);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
};

test('a new account sees what to do on each empty tab; long names wrap instead of widening the page, in the app and on a phone-sized pay page', async () => {
  const fresh = await createWebTenant(web, { name: 'Brand New Ltd' });
  const page = await web.newPage();
  await signIn(page, fresh.apiKey);
  await page.getByText('No invoices yet. Create the first one with New invoice.').waitFor();
  await screenshot(page, 'invoices-empty');
  await page.getByRole('tab', { name: 'Payments' }).click();
  await page.getByText('No payments yet.').waitFor();

  const name = 'Internationale Handelsgesellschaft für Maschinenbau und Präzisionswerkzeuge Aktiengesellschaft & Co. KG';
  const contact = (await fresh.request('POST', '/v1/contacts', { name, email: 'buchhaltung@example.test' })).body;
  const description = 'Wartungsvertrag für sämtliche computergesteuerten Fräs- und Drehmaschinen einschließlich Ersatzteilversorgung und Rufbereitschaft rund um die Uhr';
  const created = await fresh.request('POST', '/v1/invoices', { contactId: contact.id, currency: 'EUR', issueDate: today, dueDate: addDays(today, 30), lineItems: [{ description, quantity: 1, unitAmount: 1234567 }] });
  expect(created.status).toBe(201);
  // Texts with no place to break at all (QA's lengths): a 63-character invoice number, a 180-character
  // contact name and a 480-character description, each one unbroken word.
  const unbrokenName = 'InternationaleHandelsgesellschaftFürMaschinenbauUndPräzisionswerkzeuge'.repeat(3).slice(0, 180);
  const unbrokenContact = (await fresh.request('POST', '/v1/contacts', { name: unbrokenName, email: 'einkauf@example.test' })).body;
  const unbrokenNumber = `QA-${'N'.repeat(60)}`;
  const unbrokenDescription = `Wartungsvertrag${'FräsUndDrehmaschinenErsatzteilversorgungRufbereitschaft'.repeat(9)}`.slice(0, 480);
  expect([unbrokenNumber.length, unbrokenName.length, unbrokenDescription.length]).toEqual([63, 180, 480]);
  const unbroken = await fresh.request('POST', '/v1/invoices', {
    number: unbrokenNumber,
    contactId: unbrokenContact.id,
    currency: 'EUR',
    issueDate: today,
    dueDate: addDays(today, 30),
    lineItems: [{ description: unbrokenDescription, quantity: 1, unitAmount: 98765 }],
  });
  expect(unbroken.status).toBe(201);

  await page.getByRole('tab', { name: 'Invoices' }).click();
  await rowOf(page, 'Invoices', name).waitFor();
  await rowOf(page, 'Invoices', unbrokenNumber).waitFor();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await expectNoSidewaysScroll(page);
  await page.getByRole('link', { name: created.body.number }).click();
  await page.getByRole('heading', { name: `Invoice ${created.body.number} Open` }).waitFor();
  await rowOf(page, 'Line items', 'Wartungsvertrag').waitFor();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await expectNoSidewaysScroll(page);

  await page.goto(`/app/invoices/${unbroken.body.id}`);
  await page.getByRole('heading', { name: `Invoice ${unbrokenNumber} Open` }).waitFor();
  await rowOf(page, 'Line items', 'Wartungsvertrag').waitFor();
  await page.getByText(unbrokenName, { exact: false }).first().waitFor();
  await expectNoSidewaysScroll(page);
  expect(await page.title()).toBe(`${unbrokenNumber} · Payment Center`);
  await screenshot(page, 'invoice-long-names');

  const phone = await web.newPage({ width: 390, height: 844 });
  await phone.goto(created.body.customerUrl);
  await phone.getByText('Wartungsvertrag', { exact: false }).first().waitFor();
  expect(await sidewaysOverflow(phone)).toBeLessThanOrEqual(0);
  await expectNoSidewaysScroll(phone);
  await phone.goto(unbroken.body.customerUrl);
  await phone.getByRole('heading', { name: `Invoice ${unbrokenNumber} Open` }).waitFor();
  await phone.getByText('Wartungsvertrag', { exact: false }).first().waitFor();
  await expectNoSidewaysScroll(phone);
  expect(await phone.title()).toBe(`Invoice ${unbrokenNumber} · Brand New Ltd`);
  await screenshot(phone, 'pay-page-long-names');
  await page.context().close();
  await phone.context().close();
});
