/**
 * A dependency that is down is a 503 with Retry-After and a code naming it, and changes nothing:
 * the API runs against a real Temporal client whose server is not there.
 */
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { buildApp } from '../../api/app';
import { invoiceBody, invoiceRow, newContact, newInvoice, tenantCounts } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';
import { unreachableTemporal } from '../support/temporal';

const stack = useTestStack();
let downTemporal: Client;
let downApp: FastifyInstance;

beforeAll(async () => {
  downTemporal = await unreachableTemporal();
  downApp = await buildApp({ ...stack.process, temporal: downTemporal, redis: stack.redis });
});
afterAll(async () => {
  await downApp?.close();
  await downTemporal?.connection.close().catch(() => undefined);
});

test('Temporal down: creating, paying and voiding answer 503 with Retry-After, and nothing changes', async () => {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request);
  const invoice = await newInvoice(t.request, contact.id);
  const before = await tenantCounts(stack, t.tenantId);
  const send = async (url: string, payload: unknown) => {
    const res = await downApp.inject({ method: 'POST', url, payload: payload as never, headers: { authorization: `Bearer ${t.apiKey}` } });
    return { status: res.statusCode, code: JSON.parse(res.body).error?.code, retryAfter: res.headers['retry-after'] };
  };
  expect(await send('/v1/invoices', invoiceBody(contact.id))).toEqual({ status: 503, code: 'temporal_unavailable', retryAfter: '2' });
  expect(await send(`/v1/invoices/${invoice.id}/payments`, { amount: 100, method: 'cash' })).toEqual({ status: 503, code: 'payment_pending', retryAfter: '2' });
  expect(await send(`/v1/invoices/${invoice.id}/void`, { reason: 'duplicate' })).toEqual({ status: 503, code: 'temporal_unavailable', retryAfter: '2' });
  expect(await tenantCounts(stack, t.tenantId)).toEqual(before);
  expect(await invoiceRow(stack, invoice.id)).toMatchObject({ status: 'open', paid: 0 });
}, 60_000);
