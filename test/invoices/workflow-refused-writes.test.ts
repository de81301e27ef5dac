/**
 * No data can stall an invoice: a write Postgres refuses for good (injected here by sending the
 * workflow text the API would never let through) is not retried forever. The waiting Update gets a
 * clear error within seconds, the invoice is flagged for attention (row, history, PcAttention), and
 * the workflow keeps serving payments. Real Postgres, the Temporal dev server and a worker.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { fromFailure } from '../../workflows/failures';
import { applyPaymentUpdate, invoiceWorkflowId, paymentReceivedSignal, SearchAttr, voidInvoiceUpdate } from '../../workflows/definitions';
import { eventually, readEvents, readInvoice } from '../support/fixtures';
import { newContact, newInvoice } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack();

async function attentionOf(invoiceId: string) {
  const [row] = await stack.orm.em.getConnection().execute<{ attention_reason: string | null }[]>('select attention_reason from invoices where id = ?', [invoiceId]);
  const described = await stack.temporal.workflow.getHandle(invoiceWorkflowId(invoiceId)).describe();
  return { reason: row.attention_reason, searchAttribute: described.typedSearchAttributes.get(SearchAttr.attention) };
}

test('a void whose reason Postgres refuses: the Update fails with write_refused within seconds, the invoice is void and flagged', async () => {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request);
  const invoice = await newInvoice(t.request, contact.id);
  const handle = stack.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));

  const started = Date.now();
  const err = await handle.executeUpdate(voidInvoiceUpdate, { args: [{ reason: 'typo \ud800' }] }).catch((e: unknown) => e);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(fromFailure(err)).toMatchObject({ kind: 'unprocessable', code: 'write_refused' });

  expect(await readInvoice(stack.orm, invoice.id)).toMatchObject({ status: 'void' });
  const attention = await eventually(async () => {
    const a = await attentionOf(invoice.id);
    expect(a.searchAttribute).toBe(true);
    return a;
  });
  expect(attention.reason).toContain('event voided');
  expect((await readEvents(stack.orm, invoice.id)).map((e) => e.type)).toContain('attention_needed');
  // The API answers from the row: the invoice is void; /readyz counts the invoices needing attention.
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/void`, {})).body).toMatchObject({ status: 'void' });
  const ready = await stack.app.inject({ method: 'GET', url: '/readyz' });
  expect(JSON.parse(ready.body).invoicesNeedingAttention).toBeGreaterThanOrEqual(1);
}, 60_000);

test('a payment whose record Postgres refuses: the balance counts it, the invoice is flagged, later payments still go through', async () => {
  const t = await createTestTenant(stack);
  const contact = await newContact(t.request);
  const invoice = await newInvoice(t.request, contact.id, { lineItems: [{ description: 'Work', quantity: 1, unitAmount: 10_000 }] });
  const handle = stack.temporal.workflow.getHandle(invoiceWorkflowId(invoice.id));

  await handle.signal(paymentReceivedSignal, {
    paymentId: '0190f0f0-0000-7000-8000-00000000000a',
    contactId: contact.id,
    amount: 3000,
    currency: 'USD',
    date: '2026-11-20',
    method: 'card',
    reference: 'pi_\u0000broken',
    source: 'stripe',
  });
  const attention = await eventually(async () => {
    const a = await attentionOf(invoice.id);
    expect(a.searchAttribute).toBe(true);
    return a;
  });
  expect(attention.reason).toContain('payment 0190f0f0-0000-7000-8000-00000000000a');
  expect(await readInvoice(stack.orm, invoice.id)).toMatchObject({ paid: 3000, status: 'open' });

  // The workflow keeps serving: an Update payment through the API, then the rest of the balance.
  expect((await t.request('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 2000, method: 'cash' })).status).toBe(201);
  const last = await handle.executeUpdate(applyPaymentUpdate, {
    args: [{ paymentId: '0190f0f0-0000-7000-8000-00000000000b', contactId: contact.id, amount: 5000, currency: 'USD', date: '2026-11-21', method: 'cash', reference: null, source: 'manual' }],
  });
  expect(last).toMatchObject({ status: 'paid', due: 0 });
  expect(await readInvoice(stack.orm, invoice.id)).toMatchObject({ paid: 10_000, status: 'paid' });
}, 60_000);
