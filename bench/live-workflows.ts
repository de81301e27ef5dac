/** The `live` bench's raw reference (bundled on its own): a workflow that only sleeps until an instant. */
import * as wf from '@temporalio/workflow';

/** One durable timer to `at` (epoch ms), then done: a bare timer-driven workflow task. */
export async function benchSleepUntil(at: number): Promise<void> {
  await wf.sleep(Math.max(1, at - Date.now()));
}
