/**
 * An invoice committed without its workflow (the API process died between the two steps) gets
 * its workflow from the reconciler and then takes payments normally.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { ensureInvoiceWorkflows } from '../../services/reconcile';
import { getInvoiceStateQuery, invoiceWorkflowId } from '../../workflows/definitions';
import { insertInvoice } from '../support/fixtures';
import { useTestStack } from '../support/stack';

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
