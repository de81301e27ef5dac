/**
 * An invoice committed without its workflow (the API process died between the two steps) gets
 * its workflow from the reconciler and then takes payments normally.
 */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { ensureInvoiceWorkflows, recentOrphans, runRecoverySweep, type StartedInvoices, type SweepLog } from '../../services/reconcile';
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

test('a sweep that cannot reach Temporal says so in the log, and the next round tries again', async () => {
  const orphan = await insertInvoice(stack.orm, { total: 4_000 });
  // Old enough for the sweep, which leaves invoices younger than 30 s to the request creating them.
  await stack.orm.em.fork().getConnection().execute(`update invoices set created_at = now() - interval '1 minute' where id = ?`, [orphan.invoiceId]);
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const log: SweepLog = { warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }), error: (obj, msg) => lines.push({ level: 'error', obj, msg }) };
  // The real server, asked about a namespace it does not have: its visibility query and its start both fail.
  const unreachable = new Client({ connection: stack.temporal.connection, namespace: 'no-such-namespace' });
  const sweep = recentOrphans(log);
  await runRecoverySweep(() => ({ ...stack.deps, temporal: unreachable }), [{ name: 'invoices without a workflow', run: sweep }], log);
  expect(lines.map((l) => `${l.level}: ${l.msg}`)).toEqual([
    'warn: orphan sweep: the visibility query failed; starting every candidate (USE_EXISTING leaves running ones alone)',
    'error: recovery sweep failed: invoices without a workflow',
  ]);
  expect(lines[1].obj).toMatchObject({ step: 'invoices without a workflow', err: expect.any(Error) });
  // The orphan was not remembered: the next round, with Temporal back, starts its workflow.
  lines.length = 0;
  const running = () => stack.temporal.workflow.getHandle(invoiceWorkflowId(orphan.invoiceId)).describe().then((d) => d.status.name === 'RUNNING', () => false);
  // A round takes the oldest 500 candidates of the hour (other files' invoices among them); the next ones go on from there.
  for (let round = 0; round < 20 && !(await running()); round++) await runRecoverySweep(() => stack.deps, [{ name: 'invoices without a workflow', run: sweep }], log);
  expect(lines).toEqual([]);
  expect(await running()).toBe(true);
});
