/**
 * An invoice committed without its workflow (the API process died between the two steps) gets
 * its workflow from the reconciler and then takes payments normally.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { ensureInvoiceWorkflows, type StartedInvoices } from '../../services/reconcile';
import { getInvoiceStateQuery, invoiceWorkflowId } from '../../workflows/definitions';
import { eventually, insertInvoice } from '../support/fixtures';
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack();

test('an orphaned invoice gets its workflow back, and a running one is left alone', async () => {
  const orphan = await insertInvoice(stack.orm, { total: 7_000 });
  const handle = stack.temporal.workflow.getHandle(invoiceWorkflowId(orphan.invoiceId));
  await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

  const window = { since: new Date(Date.now() - 60_000), until: new Date(Date.now() + 1_000) };
  expect(await ensureInvoiceWorkflows(stack.deps, window)).toBeGreaterThanOrEqual(1);
  const first = await handle.describe();
  expect(first.status.name).toBe('RUNNING');
  expect(await handle.query(getInvoiceStateQuery)).toMatchObject({ total: 7_000, paid: 0, status: 'open' });

  // A second sweep does not start another run.
  await ensureInvoiceWorkflows(stack.deps, window);
  expect((await handle.describe()).runId).toBe(first.runId);
});

test('a sweep asks about each invoice once: what it found or started is not asked about again', async () => {
  // The window starts here: only this test's invoices are in it (files run one at a time).
  const since = new Date(Date.now() - 1);
  const orphans = [await insertInvoice(stack.orm, { total: 1_000 }), await insertInvoice(stack.orm, { total: 2_000 })];
  const window = { since, until: new Date(Date.now() + 1_000) };
  const started: StartedInvoices = new Map();
  expect(await ensureInvoiceWorkflows(stack.deps, { ...window, started })).toBe(2);
  for (const o of orphans) {
    expect(started.has(o.invoiceId)).toBe(true);
    expect((await stack.temporal.workflow.getHandle(invoiceWorkflowId(o.invoiceId)).describe()).status.name).toBe('RUNNING');
  }
  // The next sweep finds nothing to ask about; a new orphan is the only one it starts.
  expect(await ensureInvoiceWorkflows(stack.deps, { ...window, started })).toBe(0);
  const late = await insertInvoice(stack.orm, { total: 3_000 });
  expect(await ensureInvoiceWorkflows(stack.deps, { ...window, until: new Date(Date.now() + 1_000), started })).toBe(1);
  expect((await stack.temporal.workflow.getHandle(invoiceWorkflowId(late.invoiceId)).describe()).status.name).toBe('RUNNING');
});

test('a sweep sends no start for an invoice whose workflow is running: it asks visibility, then remembers it', async () => {
  const since = new Date(Date.now() - 1);
  const t = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(t.request);
  const workflowId = invoiceWorkflowId(invoice.id);
  // Visibility follows a start by a moment.
  await eventually(async () => {
    const listed: string[] = [];
    for await (const wf of stack.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(wf.workflowId);
    expect(listed).toEqual([workflowId]);
  });
  const runId = (await stack.temporal.workflow.getHandle(workflowId).describe()).runId;
  const started: StartedInvoices = new Map();
  expect(await ensureInvoiceWorkflows(stack.deps, { since, until: new Date(Date.now() + 1_000), started })).toBe(0);
  expect(started.has(invoice.id)).toBe(true);
  expect((await stack.temporal.workflow.getHandle(workflowId).describe()).runId).toBe(runId);
});
