/**
 * Trivial workflows for the bench's raw references (bundled separately, run by a second worker on
 * its own task queue): handlers that return at once, and one floor workflow whose Update does the
 * least a payment must (a local activity writing one row).
 */
import * as wf from '@temporalio/workflow';
import { SearchAttr } from '../workflows/definitions';

/** The floor's one activity: the raw worker registers it (bench/load.ts); one INSERT, nothing else. */
export interface FloorActivities {
  insertFloorRow(workflowId: string, n: number): Promise<void>;
}

/** Update that returns its argument immediately: a bare Update round-trip. */
export const pingUpdate = wf.defineUpdate<number, [number]>('benchPing');
/** Signal that records its argument; `seenQuery` reads it back: a bare signal + query round-trip. */
export const markSignal = wf.defineSignal<[number]>('benchMark');
export const seenQuery = wf.defineQuery<number>('benchSeen');
/** Ends the workflow. */
export const stopSignal = wf.defineSignal('benchStop');

export async function rawBenchWorkflow(): Promise<number> {
  let seen = 0;
  let stopped = false;
  wf.setHandler(pingUpdate, (n) => n);
  wf.setHandler(markSignal, (n) => {
    seen = n;
  });
  wf.setHandler(seenQuery, () => seen);
  wf.setHandler(stopSignal, () => {
    stopped = true;
  });
  await wf.condition(() => stopped);
  return seen;
}

/** Update whose handler writes one Postgres row through a local activity, then returns its argument. */
export const floorUpdate = wf.defineUpdate<number, [number]>('benchFloor');
/** The same, and it sets PcAmountDue to its argument first (what an invoice does on every payment). */
export const floorUpsertUpdate = wf.defineUpdate<number, [number]>('benchFloorUpsert');

/**
 * The floor on this architecture: an Update absorbed and written to Postgres in one workflow task (a
 * local activity, as the invoice workflow's write), or with `writeAtStart` a start whose first task
 * writes a row, without any of the invoice's rules; with `sleepUntil` (epoch ms) that task also
 * starts a durable timer for the instant, as every invoice sleeps until its due date.
 */
export async function rawFloorWorkflow(writeAtStart = false, sleepUntil?: number): Promise<void> {
  const { insertFloorRow } = wf.proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });
  const { workflowId } = wf.workflowInfo();
  let stopped = false;
  // The creation floor: a started workflow writes its row in its first task (as an invoice stores its schedule).
  if (writeAtStart) await insertFloorRow(workflowId, 0);
  wf.setHandler(floorUpdate, async (n) => {
    await insertFloorRow(workflowId, n);
    return n;
  });
  wf.setHandler(floorUpsertUpdate, async (n) => {
    wf.upsertSearchAttributes([{ key: SearchAttr.amountDue, value: n }]);
    await insertFloorRow(workflowId, n);
    return n;
  });
  wf.setHandler(stopSignal, () => {
    stopped = true;
  });
  if (sleepUntil === undefined) await wf.condition(() => stopped);
  else await wf.condition(() => stopped, Math.max(1, sleepUntil - Date.now()));
}
