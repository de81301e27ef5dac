/** The pay page's "Download PDF" in Chromium: the customer saves the invoice PDF the seller sends. */
import { readFileSync } from 'node:fs';
import { addDays } from '../../domain/dates';
import { createWebTenant, useWebStack } from '../support/browser';
import { pdfLines, pdfText } from '../support/pdf';

jest.setTimeout(120_000);
const web = useWebStack();
const today = new Date().toISOString().slice(0, 10);

test('Download PDF on the pay page saves invoice-<number>.pdf with the balance the page shows', async () => {
  const account = await createWebTenant(web, { name: 'Northwind Traders' });
  await account.request('PUT', '/v1/settings/company', { legalName: 'Northwind Traders Ltd', paymentInstructions: 'Bank transfer to IBAN GB33 BUKB 2020 1555 5555 55.' });
  const contact = (await account.request('POST', '/v1/contacts', { name: 'Ada Lovelace', email: 'ada@analytical.example' })).body;
  const { body: invoice } = await account.request('POST', '/v1/invoices', {
    contactId: contact.id,
    currency: 'USD',
    issueDate: addDays(today, -5),
    dueDate: addDays(today, 25),
    lineItems: [{ description: 'Website redesign', quantity: 1, unitAmount: 240000 }],
  });
  const page = await web.newPage({ width: 390, height: 844 });
  await page.goto(invoice.customerUrl);
  const link = page.getByRole('link', { name: 'Download PDF' });
  await link.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe(`invoice-${invoice.number}.pdf`);
  const pdf = readFileSync((await download.path())!);
  const text = pdfText(pdf);
  expect(text).toContain('Northwind Traders Ltd');
  expect(text).toContain(invoice.number);
  expect(pdfLines(text)).toContain('Due  $2,400.00');
  expect(text).toContain('Bank transfer to IBAN GB33 BUKB 2020 1555 5555 55.');
  await page.context().close();
});
