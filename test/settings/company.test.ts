import { countWhere, expectError } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack({ worker: false });

const DEFAULTS = { defaultCurrency: 'USD', invoiceNumberPrefix: 'INV-', invoiceNumberPadding: 6, nextInvoiceNumber: 'INV-000001', reminderSubjectTemplate: null, reminderBodyTemplate: null };
const EMPTY = { legalName: null, address: null, taxId: null, paymentInstructions: null, ...DEFAULTS, updatedAt: null };

test('company details: empty until saved, PUT replaces them all (trimmed, blank cleared), per tenant', async () => {
  const t = await createTestTenant(stack);
  expect(await t.request('GET', '/v1/settings/company')).toMatchObject({ status: 200, body: EMPTY });

  const saved = await t.request('PUT', '/v1/settings/company', { legalName: '  Acme GmbH ', address: 'Hauptstraße 1\n10115 Berlin', taxId: 'DE123456789', paymentInstructions: 'Pay by bank transfer' });
  expect(saved.status).toBe(200);
  expect(saved.body).toEqual({ legalName: 'Acme GmbH', address: 'Hauptstraße 1\n10115 Berlin', taxId: 'DE123456789', paymentInstructions: 'Pay by bank transfer', ...DEFAULTS, updatedAt: expect.any(String) });
  expect((await t.request('GET', '/v1/settings/company')).body).toEqual(saved.body);

  const replaced = await t.request('PUT', '/v1/settings/company', { legalName: 'Acme AG', taxId: '   ', paymentInstructions: null });
  expect(replaced.body).toMatchObject({ legalName: 'Acme AG', address: null, taxId: null, paymentInstructions: null });
  expect(await countWhere(stack, 'company_settings', 'tenant_id = ?', [t.tenantId])).toBe(1);

  const other = await createTestTenant(stack);
  expect((await other.request('GET', '/v1/settings/company')).body).toEqual(EMPTY);
});

test('invalid company details are a 400 that changes nothing', async () => {
  const t = await createTestTenant(stack);
  const before = (await t.request('PUT', '/v1/settings/company', { legalName: 'Acme', paymentInstructions: 'IBAN …' })).body;
  const bad: Record<string, unknown>[] = [
    { paymentInstructions: 'x'.repeat(2001) },
    { legalName: 'x'.repeat(201) },
    { taxId: 'x'.repeat(65) },
    { address: 'x'.repeat(1001) },
    { legalName: 42 },
    { legalName: 'with NUL \u0000' },
    { defaultCurrency: 'EUR', unknown: true },
  ];
  for (const body of bad) {
    const res = await t.request('PUT', '/v1/settings/company', body);
    expect({ body, status: res.status }).toEqual({ body, status: 400 });
    expectError(res, 400);
  }
  expectError(await t.request('PUT', '/v1/settings/company', '[]', { 'content-type': 'application/json' }), 400);
  expect((await t.request('GET', '/v1/settings/company')).body).toEqual(before);
  // exactly 2000 characters of instructions is fine
  expect((await t.request('PUT', '/v1/settings/company', { paymentInstructions: 'y'.repeat(2000) })).status).toBe(200);
});

test('company settings need Payment Center like every /v1 route', async () => {
  const starter = await createTestTenant(stack, 'starter');
  expectError(await starter.request('GET', '/v1/settings/company'), 403, 'plan_required');
  expectError(await starter.request('PUT', '/v1/settings/company', { legalName: 'x' }), 403, 'plan_required');
  expect(await countWhere(stack, 'company_settings', 'tenant_id = ?', [starter.tenantId])).toBe(0);
});
