/**
 * Amounts in currencies whose decimals the browser's Intl data and the server's disagree on (HUF:
 * Chromium none, ISO 4217 two; IQD: Node's data none, ISO three): the pay page, the drill-down and
 * the payment dialog in Chromium show and read them with ISO's decimals, as the PDF and CSV do.
 */
import { addDays } from '../../domain/dates';
import { formatMoney } from '../../domain/money';
import { balance, createWebTenant, signIn, useWebStack } from '../support/browser';
import { readInvoice } from '../support/fixtures';

jest.setTimeout(120_000);
const web = useWebStack();
const today = new Date().toISOString().slice(0, 10);
/** Intl separates a currency code from its amount with a no-break space. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

test('HUF and IQD invoices: the pay page and the app show ISO 4217 decimals, and a payment typed in the dialog is read with them', async () => {
  const account = await createWebTenant(web, { name: 'Budapest Trading' });
  const contact = (await account.request('POST', '/v1/contacts', { name: 'Ada Lovelace' })).body;
  const invoiceIn = async (currency: string, unitAmount: number) =>
    (await account.request('POST', '/v1/invoices', { contactId: contact.id, currency, issueDate: today, dueDate: addDays(today, 30), lineItems: [{ description: 'Audit', quantity: 1, unitAmount }] })).body;
  const huf = await invoiceIn('HUF', 150_000);
  const iqd = await invoiceIn('IQD', 1_500);
  // The server's words for them (the PDF, CSV and e-mails use these).
  expect(plain(formatMoney(150_000, 'HUF'))).toBe('HUF 1,500.00');
  expect(plain(formatMoney(1_500, 'IQD'))).toBe('IQD 1.500');

  const phone = await web.newPage({ width: 390, height: 844 });
  await phone.goto(huf.customerUrl);
  await phone.getByRole('heading', { name: `Invoice ${huf.number} Open` }).waitFor();
  expect(plain(await balance(phone, 'Total').innerText())).toBe('HUF 1,500.00');
  await phone.goto(iqd.customerUrl);
  await phone.getByRole('heading', { name: `Invoice ${iqd.number} Open` }).waitFor();
  expect(plain(await balance(phone, 'Total').innerText())).toBe('IQD 1.500');
  await phone.context().close();

  const page = await web.newPage();
  await signIn(page, account.apiKey, `/app/invoices/${huf.id}`);
  expect(plain(await balance(page, 'Due').innerText())).toBe('HUF 1,500.00');
  await page.getByRole('button', { name: 'Make a payment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Make a payment' });
  await dialog.getByLabel('Amount').fill('1,000.50');
  await dialog.getByLabel('Method').selectOption({ label: 'Cash' });
  await dialog.getByRole('button', { name: 'Record payment' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => /HUF\s499\.50/.test((globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText));
  expect(plain(await balance(page, 'Paid').innerText())).toBe('HUF 1,000.50');
  expect((await readInvoice(web.stack.orm, huf.id)).paid).toBe(100_050);
  await page.context().close();
});
