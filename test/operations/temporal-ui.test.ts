/**
 * What an operator sees of an invoice in Temporal UI, read back from the dev server: the summary
 * and details its workflow starts with, its current details, a summary on every timer and activity,
 * readable activity results, and the search attributes invoices are found by.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { eventually } from '../support/fixtures';
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';
import { invoiceWorkflowId, SearchAttr } from '../../workflows/definitions';

const stack = useTestStack();

const decode = (p: Payload | null | undefined) => (p ? defaultPayloadConverter.fromPayload(p) : undefined);
const handleOf = (invoiceId: string) => stack.temporal.workflow.getHandle(invoiceWorkflowId(invoiceId));

async function history(invoiceId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await handleOf(invoiceId).fetchHistory()).events ?? [];
}

async function berlinTenant() {
  return createTestTenant(stack, 'professional', 'Europe/Berlin');
}

test('the workflow starts with a summary and details: tenant, number, contact, total/paid/due in its currency, status', async () => {
  const t = await berlinTenant();
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total: 125000, currency: 'EUR', dueDate: '2099-12-14' });
  const description = await handleOf(invoice.id).describe();

  expect(await description.staticSummary()).toBe(`Invoice ${invoice.number} for Ada Lovelace: €1,250.00, due 2099-12-14`);
  const details = await description.staticDetails();
  for (const part of [t.tenantId, 'tenant-', `**Invoice** ${invoice.number}`, invoice.id, `Ada Lovelace (\`${contact.id}\`)`, '**Total** €1,250.00 · **Paid** €0.00 · **Due** €1,250.00', '**Status** open']) {
    expect(details).toContain(part);
  }
  expect(details).toContain('**Due date** 2099-12-14 → overdue at 2099-12-15 00:00 Europe/Berlin');
  // What the UI reads: the raw DescribeWorkflowExecution answer carries it as user metadata.
  expect(decode(description.raw.executionConfig?.userMetadata?.summary as Payload)).toBe(await description.staticSummary());

  // Epoch milliseconds in the input have a readable twin in the tenant's zone.
  const started = (await history(invoice.id))[0].workflowExecutionStartedEventAttributes!;
  const input = decode(started.input!.payloads![0] as Payload) as Record<string, unknown> & { plan: Record<string, unknown>[] };
  expect(input).toMatchObject({ timeZone: 'Europe/Berlin', overdueAtIso: '2099-12-15T00:00:00+01:00' });
  expect(input.plan[0]).toMatchObject({ date: '2099-12-14', atIso: '2099-12-14T00:00:00+01:00' });
});

test('every timer says what it waits for and when, in the tenant time zone; current details follow the state', async () => {
  const t = await berlinTenant();
  const plan = [
    { amount: 50000, date: '2099-06-01' },
    { amount: 75000, date: '2099-12-14' },
  ];
  // With the default reminder policy the first wake-up is the reminder three days before the first instalment.
  const { invoice: reminded } = await createInvoiceViaApi(t.request, { total: 125000, currency: 'EUR', dueDate: '2099-12-14', paymentPlan: plan });
  // Without instalment reminders it is the instalment itself.
  const policy = await t.request('PUT', '/v1/settings/reminders', { installments: { enabled: false, offsets: [-3, 0] }, dunning: { enabled: true, offsets: [1] } });
  expect(policy.status).toBe(200);
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total: 125000, currency: 'EUR', dueDate: '2099-12-14', paymentPlan: plan });
  // An invoice whose only instalment is past: its next wake-up is the due date.
  const { invoice: late } = await createInvoiceViaApi(t.request, { total: 9900, currency: 'EUR', issueDate: '2026-01-01', dueDate: '2099-12-14', paymentPlan: [{ amount: 9900, date: '2026-01-02' }] });

  const timerSummaries = async (invoiceId: string) =>
    (await history(invoiceId)).filter((e) => e.timerStartedEventAttributes).map((e) => decode(e.userMetadata?.summary as Payload));
  await eventually(async () => expect(await timerSummaries(reminded.id)).toEqual(['reminder 3 days before instalment 1 of 2 at 2099-05-29 09:00 Europe/Berlin']));
  await eventually(async () => expect(await timerSummaries(invoice.id)).toEqual(['instalment 1 of 2 (€500.00) due at 2099-06-01 00:00 Europe/Berlin']));
  await eventually(async () => expect(await timerSummaries(late.id)).toEqual(['due date 2099-12-14 → overdue at 2099-12-15 00:00 Europe/Berlin']));

  const metadata = () => handleOf(invoice.id).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect((await metadata()).currentDetails).toContain('**Next** instalment 1 of 2 (€500.00) due at 2099-06-01 00:00 Europe/Berlin');
  expect((await metadata()).currentDetails).toContain('**Paid** €0.00 of €1,250.00 · **Due** €1,250.00');

  const paid = await t.request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 20000, method: 'bank_transfer' });
  expect(paid.status).toBe(201);
  await eventually(async () => expect((await metadata()).currentDetails).toContain('**Paid** €200.00 of €1,250.00 · **Due** €1,050.00'));
  // A part payment keeps the next wake-up shown.
  expect((await metadata()).currentDetails).toContain('**Next** instalment 1 of 2 (€500.00) due at 2099-06-01 00:00 Europe/Berlin');
});

test('activities have a summary and return a readable result, not binary/null', async () => {
  const t = await berlinTenant();
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total: 5000, currency: 'USD' });
  expect((await t.request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 1250, method: 'card' })).status).toBe(201);

  const events = await history(invoice.id);
  // persistInvoice is a local activity (persist-local-v1): its summary and result are on its marker.
  const persisted = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  expect(persisted.map((e) => decode(e.userMetadata?.summary as Payload))).toContain('persist state v1: open, due $37.50, 1 payment, 1 event');
  const results = persisted.map((e) => decode(e.markerRecordedEventAttributes!.details!.result!.payloads![0] as Payload));
  expect(results).toContainEqual(expect.objectContaining({ version: 1, status: 'open', payments: 1, events: 1, invoiceUpdated: true }));
  // The reminder schedule came in the input (stored at creation): no activity fetches it.
  expect(persisted.map((e) => decode(e.userMetadata?.summary as Payload))).not.toContainEqual(expect.stringMatching(/^reminder schedule/));
  const input = decode(events[0].workflowExecutionStartedEventAttributes!.input!.payloads![0] as Payload) as { reminders: { schedule: { kind: string; date: string }[]; done: string[] } };
  expect(input.reminders.schedule.map((r) => [r.kind, r.date])).toEqual([
    ['installment', '2099-12-28'],
    ['installment', '2099-12-31'],
    ['dunning', '2100-01-01'],
    ['dunning', '2100-01-07'],
    ['dunning', '2100-01-14'],
  ]);
  expect(input.reminders.done).toEqual([]);
});

test('search attributes: contact name, due date, amount due (kept current by the workflow) and needs-attention', async () => {
  const t = await berlinTenant();
  const { invoice, contact } = await createInvoiceViaApi(t.request, { total: 8000, currency: 'USD', dueDate: '2099-03-31' });
  const handle = handleOf(invoice.id);
  const attributes = async () => (await handle.describe()).typedSearchAttributes;
  expect((await attributes()).get(SearchAttr.amountDue)).toBe(8000);

  expect((await t.request('POST', '/v1/payments', { contactId: contact.id, invoiceId: invoice.id, amount: 3000, method: 'card' })).status).toBe(201);
  await eventually(async () => expect((await attributes()).get(SearchAttr.amountDue)).toBe(5000));
  const sa = await attributes();
  expect(sa.get(SearchAttr.contactName)).toBe('Ada Lovelace');
  expect(sa.get(SearchAttr.dueDate)?.toISOString()).toBe('2099-03-31T00:00:00.000Z');
  expect(sa.get(SearchAttr.attention)).toBe(false);
  expect(sa.get(SearchAttr.status)).toBe('open');

  // The queries an operator types into Temporal UI find it.
  const found = async (query: string) => {
    const ids: string[] = [];
    for await (const w of stack.temporal.workflow.list({ query: `PcTenantId = "${t.tenantId}" AND ${query}` })) ids.push(w.workflowId);
    return ids;
  };
  await eventually(async () => expect(await found('PcAmountDue = 5000')).toEqual([handle.workflowId]));
  expect(await found('PcContactName = "Lovelace"')).toEqual([handle.workflowId]);
  expect(await found('PcDueDate >= "2099-03-31T00:00:00Z" AND PcDueDate < "2099-04-01T00:00:00Z"')).toEqual([handle.workflowId]);
  expect(await found('PcAttention = false')).toEqual([handle.workflowId]);
});

test('every search attribute key the workflow uses is registered on the dev server with its type', async () => {
  const { customAttributes } = await stack.temporal.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  const { IndexedValueType } = temporal.api.enums.v1;
  for (const key of Object.values(SearchAttr)) {
    expect({ name: key.name, type: customAttributes?.[key.name] }).toEqual({ name: key.name, type: IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`] });
  }
});
