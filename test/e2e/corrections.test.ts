/**
 * Correcting money in the team's app, in a real browser against the real API and worker: a payment
 * recorded then voided with a reason (the invoice opens again, the payment shows Voided, struck
 * through), a credit note refused beyond the due then issued, the contact's credit applied, the rest
 * written off; a card payment refunded in part through the (fake) Stripe; the Payments tab's status
 * column and a payment split across invoices.
 */
import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { addDays } from '../../domain/dates';
import { balance, createWebTenant, screenshot, signIn, useWebStack } from '../support/browser';
import { eventually, readInvoice } from '../support/fixtures';
import { deliver, paymentIntentObject, rid, stripeEvent } from '../support/stripe';

// Generous: on a loaded machine the workflows confirm slowly, and a 503 is retried (below).
jest.setTimeout(300_000);
const web = useWebStack();
const today = new Date().toISOString().slice(0, 10);

const rowOf = (page: Page, table: string, text: string) => page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: text });
const historyText = async (page: Page) => (await page.getByRole('region', { name: 'History' }).getByRole('listitem').allInnerTexts()).join('\n');
const until = (check: () => Promise<void>) => eventually(check, 10_000);
/** The amount next to a term of the balance, Credited and Written off included (they show only when non-zero). */
const figure = (page: Page, term: string) => page.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');

/** POST with one Idempotency-Key, sent again on a 503 (a workflow slow to confirm): it is still one change. */
async function post(url: string, body: unknown, expected = 201) {
  const headers = { authorization: `Bearer ${account.apiKey}`, 'idempotency-key': randomUUID() };
  for (let attempt = 1; ; attempt++) {
    const res = await web.stack.app.inject({ method: 'POST', url, payload: body as never, headers });
    if (res.statusCode === expected) return res.json();
    if (res.statusCode !== 503 || attempt === 5) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  }
}

/** Submits a dialog and waits for it to close; a 503 shown in it ("still being …") is submitted again, as a person would. */
async function submit(dialog: Locator, button: string) {
  const pending = dialog.getByRole('alert').filter({ hasText: /still being/ });
  for (let attempt = 1; attempt <= 5; attempt++) {
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await pending.waitFor({ state: 'hidden' });
    const outcome = await Promise.race([dialog.waitFor({ state: 'detached', timeout: 60_000 }).then(() => 'closed'), pending.waitFor({ timeout: 60_000 }).then(() => 'pending')]);
    if (outcome === 'closed') return;
  }
  throw new Error(`${button}: still pending after 5 attempts`);
}

const invoiceFor = (contactId: string, description: string, unitAmount: number) =>
  post('/v1/invoices', { contactId, currency: 'USD', issueDate: addDays(today, -3), dueDate: addDays(today, 27), lineItems: [{ description, quantity: 1, unitAmount }] });

let account: Awaited<ReturnType<typeof createWebTenant>>;
beforeAll(async () => {
  account = await createWebTenant(web);
});

test('record a payment, void it with a reason, issue a credit note, apply credit, write off the rest', async () => {
  const ada = await post('/v1/contacts', { name: 'Ada Lovelace', email: 'ada@analytical.example' });
  const inv = await invoiceFor(ada.id, 'Consulting, 2 days', 100000);
  // $50 on no invoice: the contact's credit, for Apply credit.
  await post('/v1/payments', { contactId: ada.id, amount: 5000, currency: 'USD', method: 'cash', reference: 'CASH-9' });

  const page = await web.newPage();
  await signIn(page, account.apiKey, `/app/invoices/${inv.id}`);
  await page.getByRole('heading', { name: `Invoice ${inv.number} Open` }).waitFor();

  // Record a payment of the whole due: the invoice is paid.
  await page.getByRole('button', { name: 'Make a payment' }).click();
  const pay = page.getByRole('dialog', { name: 'Make a payment' });
  await pay.getByLabel('Method').selectOption('check');
  await pay.getByLabel('Reference (optional)').fill('CHQ-311');
  await submit(pay, 'Record payment');
  await page.getByRole('heading', { name: `Invoice ${inv.number} Paid` }).waitFor();
  const cheque = rowOf(page, 'Payments', 'CHQ-311');
  expect(await cheque.getByRole('cell').allInnerTexts()).toEqual([expect.any(String), '$1,000.00', 'Check', 'Manual · CHQ-311', 'Received', 'Void']);

  // Void it: a reason is required; the invoice opens again and the payment stays listed as Voided.
  await cheque.getByRole('button', { name: /^Void the payment of \$1,000\.00/ }).click();
  const voiding = page.getByRole('dialog', { name: 'Void the payment of $1,000.00?' });
  await voiding.getByRole('button', { name: 'Void payment' }).click();
  await voiding.getByText('Enter why the payment is taken back').waitFor();
  await voiding.getByLabel('Reason').fill('Check bounced');
  await submit(voiding, 'Void payment');
  await page.getByRole('heading', { name: `Invoice ${inv.number} Open` }).waitFor();
  expect(await balance(page, 'Paid').innerText()).toBe('$0.00');
  expect(await balance(page, 'Due').innerText()).toBe('$1,000.00');
  await until(async () => expect(await cheque.getByRole('cell').nth(4).innerText()).toMatch(/^Voided\s+Check bounced$/));
  expect(await cheque.getAttribute('class')).toContain('row-voided');
  expect(await cheque.getByRole('button').count()).toBe(0);
  await until(async () => expect(await historyText(page)).toMatch(/Paid in full[\s\S]*Payment of \$1,000\.00 voided: Check bounced/));
  await page.getByRole('status').filter({ hasText: 'The payment of $1,000.00 is voided.' }).waitFor();

  // A credit note beyond the due is refused next to the amount; one within it lowers the due. Each
  // attempt carries an Idempotency-Key, a new one after the refusal (a 4xx is final for its key).
  const keys: (string | undefined)[] = [];
  page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/credit-notes') && keys.push(r.headers()['idempotency-key']));
  await page.getByRole('button', { name: 'Credit note' }).click();
  const note = page.getByRole('dialog', { name: `Credit note on ${inv.number}` });
  await note.getByLabel('Amount').fill('1200.00');
  await note.getByLabel('Reason').fill('Two hours not worked');
  await note.getByRole('button', { name: 'Issue credit note' }).click();
  await note.getByText('A credit note can be at most what is due: $1,000.00.').waitFor();
  await note.getByLabel('Amount').fill('150.00');
  await submit(note, 'Issue credit note');
  await until(async () => expect(await balance(page, 'Due').innerText()).toBe('$850.00'));
  expect(await page.getByRole('term').allTextContents()).toEqual(['Total', 'Credited', 'Paid', 'Due']);
  expect(await figure(page, 'Credited').innerText()).toBe('$150.00');
  await until(async () => expect(await historyText(page)).toContain('Credit note of $150.00: Two hours not worked'));
  expect(keys).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
  expect(keys[0]).not.toBe(keys[1]);

  // The contact's $50 of credit: offered with the amount available, defaulting to min(credit, due).
  await page.getByRole('button', { name: 'Apply credit ($50.00 available)' }).click();
  const apply = page.getByRole('dialog', { name: 'Apply Ada Lovelace’s credit' });
  expect(await apply.getByLabel('Amount').inputValue()).toBe('50.00');
  await submit(apply, 'Apply credit');
  await until(async () => expect(await balance(page, 'Due').innerText()).toBe('$800.00'));
  expect(await rowOf(page, 'Payments', 'Contact credit').getByRole('cell').allInnerTexts()).toEqual([expect.any(String), '$50.00', 'Contact credit', 'Credit', 'Received', '']);
  await until(async () => expect(await historyText(page)).toContain("$50.00 of the contact's credit applied"));
  await until(async () => expect(await page.getByRole('button', { name: /^Apply credit/ }).count()).toBe(0));
  // The plan's open part adds up to Due: the credit note settles it like a payment.
  expect(await page.getByRole('table', { name: 'Payment plan' }).getByRole('row').nth(1).getByRole('cell').last().innerText()).toBe('Partly: $800.00 open');
  await screenshot(page, 'invoice-corrections');

  // Write off what is left: the invoice is closed, the amount shown apart from Paid.
  await page.getByRole('button', { name: 'Write off' }).click();
  const writeOff = page.getByRole('dialog', { name: `Write off $800.00 on ${inv.number}?` });
  await writeOff.getByLabel('Reason').fill('Uncollectable after the dispute');
  await submit(writeOff, 'Write off $800.00');
  await page.getByRole('heading', { name: `Invoice ${inv.number} Paid` }).waitFor();
  expect(await figure(page, 'Written off').innerText()).toBe('$800.00');
  expect(await balance(page, 'Paid').innerText()).toBe('$50.00');
  expect(await balance(page, 'Due').innerText()).toBe('$0.00');
  await until(async () => expect(await historyText(page)).toContain('$800.00 written off: Uncollectable after the dispute'));
  expect(await page.getByRole('button', { name: 'Write off' }).isDisabled()).toBe(true);
  await page.context().close();
});

test('the Payments tab shows each payment’s status, and a split payment opens to show its parts', async () => {
  const grace = await post('/v1/contacts', { name: 'Grace Hopper', email: 'grace@cobol.example' });
  const first = await invoiceFor(grace.id, 'Compiler audit', 30000);
  const second = await invoiceFor(grace.id, 'Training', 20000);
  await post('/v1/payments', {
    contactId: grace.id,
    amount: 60000,
    currency: 'USD',
    method: 'wire_transfer',
    reference: 'WIRE-SPLIT',
    allocations: [
      { invoiceId: first.id, amount: 30000 },
      { invoiceId: second.id, amount: 20000 },
    ],
  });
  const bounced = await post('/v1/payments', { contactId: grace.id, amount: 1500, currency: 'USD', method: 'check', reference: 'CHQ-BOUNCED' });
  await post(`/v1/payments/${bounced.id}/void`, { reason: 'Check bounced' }, 200);

  const page = await web.newPage();
  await signIn(page, account.apiKey, '/app/payments');
  const split = rowOf(page, 'Payments', 'WIRE-SPLIT');
  await split.waitFor();
  expect(await page.getByRole('table', { name: 'Payments' }).getByRole('columnheader').allTextContents()).toEqual(['Contact', 'Amount', 'Invoice', 'Payment date', 'Method', 'Source/reference', 'Status']);
  const voided = rowOf(page, 'Payments', 'CHQ-BOUNCED');
  expect(await voided.getByRole('cell').nth(6).innerText()).toMatch(/^Voided\s+Check bounced$/);
  expect(await voided.getAttribute('class')).toContain('row-voided');

  const toggle = split.getByRole('button', { name: /Split across 2 invoices/ });
  expect(await toggle.getAttribute('aria-expanded')).toBe('false');
  await toggle.click();
  const parts = page.getByRole('list', { name: 'Parts of the payment of $600.00' });
  expect(await parts.getByRole('listitem').allInnerTexts()).toEqual([`$300.00 on ${first.number}`, `$200.00 on ${second.number}`, '$100.00 kept on the contact as credit']);
  expect(await toggle.getAttribute('aria-expanded')).toBe('true');
  await screenshot(page, 'payments-corrections');
  await parts.getByRole('link', { name: second.number }).click();
  await page.getByRole('heading', { name: `Invoice ${second.number} Paid` }).waitFor();
  expect(await rowOf(page, 'Payments', 'WIRE-SPLIT').getByRole('cell').nth(3).innerText()).toBe('Manual · WIRE-SPLIT · part of a split payment');
  await page.context().close();
});

test('a card payment is refunded in part from the drill-down: refused beyond the payment, then the invoice opens again', async () => {
  const card = await createWebTenant(web, { name: 'Northwind Traders', stripe: true });
  const { body: contact } = await card.request('POST', '/v1/contacts', { name: 'Alan Turing', email: 'alan@bletchley.example' });
  const { body: inv } = await card.request('POST', '/v1/invoices', { contactId: contact.id, currency: 'USD', issueDate: today, dueDate: addDays(today, 30), lineItems: [{ description: 'Cipher review', quantity: 1, unitAmount: 50000 }] });
  const pi = paymentIntentObject({ amount: 50000, tenantId: card.tenantId, invoiceId: inv.id });
  web.fake.state.paymentIntents.set(pi.id, { chargeId: rid('ch'), amount: 50000 });
  expect((await deliver(web.stack, card.tenantId, stripeEvent('payment_intent.succeeded', pi), card.webhookSecret)).status).toBe(200);
  await eventually(async () => expect((await readInvoice(web.stack.orm, inv.id))?.status).toBe('paid'), 60_000);

  const page = await web.newPage();
  await signIn(page, card.apiKey, `/app/invoices/${inv.id}`);
  await page.getByRole('heading', { name: `Invoice ${inv.number} Paid` }).waitFor();
  const row = rowOf(page, 'Payments', pi.id);
  // A card payment is refunded, never voided.
  expect(await row.getByRole('button').allInnerTexts()).toEqual(['Refund']);
  await row.getByRole('button', { name: /^Refund the payment of \$500\.00/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Refund the card payment of $500.00?' });
  expect(await dialog.getByLabel('Amount').inputValue()).toBe('500.00');
  await dialog.getByLabel('Amount').fill('600.00');
  await dialog.getByRole('button', { name: 'Refund', exact: true }).click();
  await dialog.getByText('The refund is more than is left to refund of this payment: $500.00.').waitFor();
  await dialog.getByLabel('Amount').fill('200.00');
  await dialog.getByLabel('Reason (optional)').selectOption('requested_by_customer');
  await submit(dialog, 'Refund');
  await page.getByRole('heading', { name: `Invoice ${inv.number} Open` }).waitFor();
  expect(await balance(page, 'Due').innerText()).toBe('$200.00');
  await until(async () => expect(await row.getByRole('cell').nth(4).innerText()).toMatch(/^Partially refunded\s+\$200\.00 refunded$/));
  await until(async () => expect(await historyText(page)).toContain('Refund: $200.00 returned'));
  const sent = web.fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
  expect(sent).toHaveLength(1);
  expect(sent[0].form).toMatchObject({ payment_intent: pi.id, amount: '20000', reason: 'requested_by_customer' });
  await page.context().close();
});
