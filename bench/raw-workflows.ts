/**
 * Trivial workflows for the bench's raw references (bundled separately, run by a second worker on
 * its own task queue): no activities, no Postgres, handlers that return at once.
 */
import * as wf from '@temporalio/workflow';

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
