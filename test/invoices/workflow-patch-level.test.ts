/**
 * Patch levels: a run started at PATCH_LEVEL (every invoice the API creates) has the level's patches
 * in effect without asking `patched()`, so its history holds no patch marker and no
 * TemporalChangeVersion upsert; a run started without a level (as before) still records them. Both
 * behave the same, and both histories replay.
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { applyPaymentUpdate, invoiceWorkflowId, PATCH_LEVEL } from '../../workflows/definitions';
import { invoiceWorkflow } from '../../workflows/invoice';
import { insertInvoice, paymentFor, readInvoice, useInvoiceHarness } from '../support/fixtures';
import { WORKFLOW_BUNDLE } from '../support/temporal';

const h = useInvoiceHarness('wf-patch-level');
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const patchMarkers = (events: HistoryEvent[]) => events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
const changeVersionUpserts = (events: HistoryEvent[]) => events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion);
const localActivities = (events: HistoryEvent[]) => events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');

async function paidOnce(patchLevel?: number) {
  const fx = await insertInvoice(h.orm, { now: await h.env.currentTimeMs(), total: 5000 });
  const input = patchLevel === undefined ? fx.input : { ...fx.input, patchLevel };
  const handle = await h.env.client.workflow.start(invoiceWorkflow, { workflowId: invoiceWorkflowId(fx.invoiceId), taskQueue: h.taskQueue, args: [input] });
  const answer = await handle.executeUpdate(applyPaymentUpdate, { args: [paymentFor(fx, 1200)] });
  expect(answer).toMatchObject({ paid: 1200, due: 3800 });
  expect(await readInvoice(h.orm, fx.invoiceId)).toMatchObject({ paid: 1200, due: 3800, status: 'open' });
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: WORKFLOW_BUNDLE }, history, handle.workflowId);
  return history.events!;
}

test('a run started at the patch level records no patch, and does what a run that asks patched() does', async () => {
  const leveled = await paidOnce(PATCH_LEVEL);
  expect(patchMarkers(leveled)).toEqual([]);
  expect(changeVersionUpserts(leveled)).toEqual([]);

  const asking = await paidOnce();
  expect(patchMarkers(asking).length).toBeGreaterThanOrEqual(3);
  expect(changeVersionUpserts(asking).length).toBe(patchMarkers(asking).length);

  // The same branches: the reminder schedule and the write as local activities, one steady timer.
  expect(localActivities(leveled)).toHaveLength(localActivities(asking).length);
  const timers = (events: HistoryEvent[]) => events.filter((e) => e.timerStartedEventAttributes).length;
  expect(timers(leveled)).toBe(timers(asking));
  const kinds = (events: HistoryEvent[]) => events.filter((e) => e.markerRecordedEventAttributes?.markerName !== 'core_patch' && !e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion).map((e) => e.eventType);
  expect(kinds(leveled)).toEqual(kinds(asking));
});
