/**
 * The rest of the account settings: default currency, the invoice number format (used by generated
 * numbers), and the reminder e-mail templates — checked on save and previewed.
 */
import { expectError } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack({ worker: false });

const invoiceOf = async (request: Awaited<ReturnType<typeof createTestTenant>>['request'], contactId: string, over: Record<string, unknown> = {}) =>
  request('POST', '/v1/invoices', { contactId, currency: 'EUR', issueDate: '2026-11-01', dueDate: '2099-12-31', lineItems: [{ description: 'Audit', quantity: 1, unitAmount: 123456 }], ...over });

test('default currency and invoice number format: saved, shown, used by the next generated numbers', async () => {
  const t = await createTestTenant(stack);
  const contact = (await t.request('POST', '/v1/contacts', { name: 'Ada Lovelace', email: 'ada@example.com' })).body;
  expect((await invoiceOf(t.request, contact.id)).body.number).toBe('INV-000001');

  const saved = await t.request('PUT', '/v1/settings/company', { legalName: 'Acme', defaultCurrency: 'EUR', invoiceNumberPrefix: 'ACME-2026/', invoiceNumberPadding: 3 });
  expect(saved).toMatchObject({ status: 200, body: { defaultCurrency: 'EUR', invoiceNumberPrefix: 'ACME-2026/', invoiceNumberPadding: 3, nextInvoiceNumber: 'ACME-2026/002' } });
  expect((await invoiceOf(t.request, contact.id)).body.number).toBe('ACME-2026/002');
  // A hand-given number is still taken as given.
  expect((await invoiceOf(t.request, contact.id, { number: 'SPECIAL-1' })).body.number).toBe('SPECIAL-1');
  // The default currency is the tenant's: payments without a currency and invoice take it.
  const [row] = await stack.orm.em.getConnection().execute<{ default_currency: string }[]>('select default_currency from tenants where id = ?', [t.tenantId]);
  expect(row.default_currency).toBe('EUR');

  // Digits only; a PUT without defaultCurrency keeps it, without the format goes back to INV- and 6.
  expect((await t.request('PUT', '/v1/settings/company', { invoiceNumberPrefix: '', invoiceNumberPadding: 5 })).body).toMatchObject({ defaultCurrency: 'EUR', invoiceNumberPrefix: '', nextInvoiceNumber: '00003' });
  expect((await invoiceOf(t.request, contact.id)).body.number).toBe('00003');
  expect((await t.request('PUT', '/v1/settings/company', {})).body).toMatchObject({ defaultCurrency: 'EUR', invoiceNumberPrefix: 'INV-', invoiceNumberPadding: 6, nextInvoiceNumber: 'INV-000004' });

  // A sequence longer than the padding keeps all its digits, in the number the settings announce and in the one stored.
  await stack.orm.em.getConnection().execute('update tenants set invoice_sequence = 12344 where id = ?', [t.tenantId]);
  expect((await t.request('PUT', '/v1/settings/company', { invoiceNumberPrefix: 'P-', invoiceNumberPadding: 3 })).body.nextInvoiceNumber).toBe('P-12345');
  expect((await invoiceOf(t.request, contact.id)).body.number).toBe('P-12345');
});

test('a number format or currency that could not work is a 400 that changes nothing', async () => {
  const t = await createTestTenant(stack);
  const before = (await t.request('PUT', '/v1/settings/company', { invoiceNumberPrefix: 'A-', invoiceNumberPadding: 4, defaultCurrency: 'GBP' })).body;
  for (const body of [
    { invoiceNumberPrefix: '-A' },
    { invoiceNumberPrefix: 'A B' },
    { invoiceNumberPrefix: 'x'.repeat(33) },
    { invoiceNumberPrefix: 'ä-' },
    { invoiceNumberPadding: 0 },
    { invoiceNumberPadding: 13 },
    { invoiceNumberPadding: 2.5 },
    { defaultCurrency: 'ABC' },
    { defaultCurrency: 'usd' },
    { defaultCurrency: null },
  ]) {
    const res = await t.request('PUT', '/v1/settings/company', body);
    expect({ body, status: res.status }).toEqual({ body, status: 400 });
    expectError(res, 400);
  }
  expect((await t.request('GET', '/v1/settings/company')).body).toEqual(before);
});

const SUBJECT = 'Invoice {{invoice.number}}: {{amount_due}} due {{due_date}}';
const BODY = 'Hello {{contact.name}},\n\n{{#if reminder.overdue}}{{amount_due}} is {{reminder.days_overdue}} days late.{{else}}{{amount_due}} is due in {{reminder.days_until_due}} days.{{/if}}\nPay: {{pay_url}}\n{{! not shown }}\n{{company.name}}';

test('reminder templates: saved as written, refused with the field and variable named when they could not render', async () => {
  const t = await createTestTenant(stack);
  const saved = await t.request('PUT', '/v1/settings/company', { legalName: 'Acme', reminderSubjectTemplate: SUBJECT, reminderBodyTemplate: BODY });
  expect(saved).toMatchObject({ status: 200, body: { reminderSubjectTemplate: SUBJECT, reminderBodyTemplate: BODY } });

  const refused = async (body: Record<string, unknown>, code: string, details: Record<string, unknown>, message?: RegExp) => {
    const res = await t.request('PUT', '/v1/settings/company', body);
    expectError(res, 400, code);
    expect(res.body.error.details).toMatchObject(details);
    if (message) expect(res.body.error.message).toMatch(message);
  };
  await refused({ reminderSubjectTemplate: 'Invoice {{invoice.numbr}}' }, 'unknown_template_variable', { field: 'reminderSubjectTemplate', variable: 'invoice.numbr' }, /unknown variable \{\{invoice\.numbr\}\}/);
  await refused({ reminderBodyTemplate: 'Hi {{contact.name}} {{#if reminder.overdue}}late' }, 'invalid_template', { field: 'reminderBodyTemplate' }, /reminderBodyTemplate: .*line 1/i);
  await refused({ reminderBodyTemplate: '{{#if nope}}x{{/if}}' }, 'unknown_template_variable', { variable: 'nope' });
  await refused({ reminderBodyTemplate: '{{{pay_url}}}' }, 'invalid_template', { field: 'reminderBodyTemplate' }, /unescaped/);
  await refused({ reminderBodyTemplate: '{{> header}}' }, 'invalid_template', { field: 'reminderBodyTemplate' });
  await refused({ reminderBodyTemplate: '{{#each invoice}}x{{/each}}' }, 'invalid_template', { field: 'reminderBodyTemplate' });
  await refused({ reminderBodyTemplate: '{{lookup invoice "number"}}' }, 'invalid_template', { field: 'reminderBodyTemplate' });
  await refused({ reminderBodyTemplate: '{{constructor}}' }, 'unknown_template_variable', { variable: 'constructor' });
  await refused({ reminderBodyTemplate: '{{../pay_url}}' }, 'unknown_template_variable', { variable: '../pay_url' });
  await refused({ reminderBodyTemplate: '{{"literal"}}' }, 'invalid_template', {});
  for (const body of [{ reminderSubjectTemplate: 'x'.repeat(501) }, { reminderBodyTemplate: 'x'.repeat(10_001) }, { reminderBodyTemplate: 42 }]) expectError(await t.request('PUT', '/v1/settings/company', body), 400);
  expect((await t.request('GET', '/v1/settings/company')).body).toEqual(saved.body);
  // Blank is the built-in text again.
  expect((await t.request('PUT', '/v1/settings/company', { reminderSubjectTemplate: '  ', reminderBodyTemplate: null })).body).toMatchObject({ reminderSubjectTemplate: null, reminderBodyTemplate: null });
});

test('preview: given or saved templates against a sample or one of your invoices, HTML escaped; nothing is saved', async () => {
  const t = await createTestTenant(stack);
  await t.request('PUT', '/v1/settings/company', { legalName: 'Acme <Tools> & Co', invoiceNumberPrefix: 'AC-', invoiceNumberPadding: 4, defaultCurrency: 'EUR' });

  // No templates anywhere: the built-in text, about a sample invoice.
  const builtIn = await t.request('POST', '/v1/settings/reminders/preview');
  expect(builtIn).toMatchObject({ status: 200, body: { sample: true, subject: expect.stringMatching(/^Upcoming payment: €1,000\.00 due \d{4}-\d{2}-\d{2} on invoice AC-0123$/) } });
  expect(builtIn.body.text).toContain('Hello Ada Lovelace,');
  expect(builtIn.body.html).toContain('Hello Ada Lovelace,<br>');

  const given = await t.request('POST', '/v1/settings/reminders/preview', { subjectTemplate: SUBJECT, bodyTemplate: `<script>alert(1)</script> ${BODY}` });
  expect(given.status).toBe(200);
  expect(given.body.subject).toMatch(/^Invoice AC-0123: €1,000\.00 due \d{4}-\d{2}-\d{2}$/);
  // A comment alone on its line takes the line with it (Handlebars' standalone rule).
  expect(given.body.text).toBe(`<script>alert(1)</script> Hello Ada Lovelace,\n\n€1,000.00 is due in 3 days.\nPay: http://127.0.0.1:3000/i/sample-link\nAcme <Tools> & Co`);
  expect(given.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Hello Ada Lovelace,<br>');
  expect(given.body.html).toContain('Acme &lt;Tools&gt; &amp; Co');
  expect(given.body.html).toContain('<a href="http://127.0.0.1:3000/i/sample-link">http://127.0.0.1:3000/i/sample-link</a>');
  expect(given.body.html).not.toMatch(/<script|<Tools>/);
  expect((await t.request('GET', '/v1/settings/company')).body).toMatchObject({ reminderSubjectTemplate: null, reminderBodyTemplate: null });

  // Saved templates, against one of the tenant's invoices: its number, its link, its next instalment.
  await t.request('PUT', '/v1/settings/company', { legalName: 'Acme', reminderSubjectTemplate: SUBJECT, reminderBodyTemplate: BODY });
  const contact = (await t.request('POST', '/v1/contacts', { name: 'Grace Hopper', email: 'grace@example.com' })).body;
  const invoice = (await invoiceOf(t.request, contact.id, { paymentPlan: [{ amount: 23456, date: '2099-06-30' }, { amount: 100000, date: '2099-12-31' }] })).body;
  const real = await t.request('POST', '/v1/settings/reminders/preview', { invoiceId: invoice.id });
  expect(real.body).toMatchObject({ sample: false, subject: `Invoice ${invoice.number}: €234.56 due 2099-06-30` });
  expect(real.body.text).toContain('Hello Grace Hopper,');
  expect(real.body.text).toContain(`Pay: ${invoice.customerUrl}`);
  // A template in the body wins over the saved one; only the subject here.
  expect((await t.request('POST', '/v1/settings/reminders/preview', { invoiceId: invoice.id, subjectTemplate: 'Hi {{contact.name}}' })).body).toMatchObject({ subject: 'Hi Grace Hopper', text: real.body.text });

  const other = await createTestTenant(stack);
  expectError(await other.request('POST', '/v1/settings/reminders/preview', { invoiceId: invoice.id }), 404, 'not_found');
  // Without a legal name, {{company.name}} is the account name.
  const otherContact = (await other.request('POST', '/v1/contacts', { name: 'Alan Turing' })).body;
  const otherInvoice = (await invoiceOf(other.request, otherContact.id)).body;
  const named = await other.request('POST', '/v1/settings/reminders/preview', { invoiceId: otherInvoice.id, subjectTemplate: '{{company.name}} / {{contact.email}}.' });
  expect(named.body.subject).toMatch(/^tenant-\d+ \/ \.$/);
  expectError(await t.request('POST', '/v1/settings/reminders/preview', { bodyTemplate: '{{amount}}' }), 400, 'unknown_template_variable');
  expectError(await t.request('POST', '/v1/settings/reminders/preview', { invoiceId: 'nope' }), 400);
  expectError(await t.request('POST', '/v1/settings/reminders/preview', { extra: 1 }), 400);
});
