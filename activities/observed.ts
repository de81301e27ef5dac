/**
 * Every activity reports its failed attempts: a warning with the attempt number and the reason
 * (an error when Temporal will not retry it), and counts for /metrics. Without this, a write
 * Postgres keeps refusing shows only as a growing attempt count deep in Temporal UI.
 */
import { asyncLocalStorage, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { activityFailures, activityRetries } from '../lib/metrics';

type ActivityFn = (...args: never[]) => Promise<unknown>;

/** Whether Temporal retries after this failure (an ApplicationFailure marked nonRetryable ends the activity). */
const retried = (err: unknown) => !(err instanceof ApplicationFailure && err.nonRetryable);

function observe<F extends ActivityFn>(name: string, fn: F): F {
  return (async (...args: Parameters<F>) => {
    // Outside a Temporal activity (a test calling it directly) there is no attempt to report.
    const attempt = asyncLocalStorage.getStore()?.info.attempt;
    if (attempt === undefined) return fn(...args);
    if (attempt > 1) activityRetries.inc({ activity: name });
    try {
      return await fn(...args);
    } catch (err) {
      const again = retried(err);
      activityFailures.inc({ activity: name, retried: String(again) });
      const reason = err instanceof Error ? err.message : String(err);
      if (again) log.warn(`${name} attempt ${attempt} failed; Temporal retries it: ${reason}`, { attempt, reason });
      else log.error(`${name} attempt ${attempt} failed for good: ${reason}`, { attempt, reason });
      throw err;
    }
  }) as F;
}

/** The same activities, each reporting its failed attempts and retries. */
export function observed<T extends Record<string, ActivityFn>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, observe(name, fn)])) as T;
}
