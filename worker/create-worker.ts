/** Builds the Temporal worker for the payment-center task queue; used by worker/main.ts and tests. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Queue, JobsOptions } from 'bullmq';
import { createActivities } from '../activities';
import type { ReminderJobData } from '../lib/queues';
import type { ProcessDeps } from '../services/context';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  orm: MikroORM;
  /** Prebundled workflow code (tests bundle once); otherwise bundled from workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Producer for reminder jobs; without it this worker does not schedule reminders. */
  reminderQueue?: Queue<ReminderJobData>;
  reminderJobOptions?: JobsOptions;
  /** The Temporal client and config the money movement steps use to reach invoice workflows. */
  process?: ProcessDeps;
  /** Workflows kept in memory between tasks (config WORKER_MAX_CACHED_WORKFLOWS); unset: the SDK's default. */
  maxCachedWorkflows?: number;
}

/**
 * How the invoice workflows are bundled, here and wherever they are bundled ahead (tests, bench).
 * The pure domain modules that keep Intl formatters per currency and time zone are preloaded: the SDK
 * shares them across the workflows of its reused V8 context, so a new invoice no longer builds its
 * formatters again (their output does not depend on the workflow, so sharing them cannot leak state).
 */
export const workflowBundleOptions = {
  workflowsPath: require.resolve('../workflows'),
  preloadModules: [require.resolve('../domain/money'), require.resolve('../domain/dates')],
};

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: workflowBundleOptions.workflowsPath, bundlerOptions: { preloadModules: workflowBundleOptions.preloadModules } }),
    activities: { ...createActivities({ orm: opts.orm, reminderQueue: opts.reminderQueue, reminderJobOptions: opts.reminderJobOptions, process: opts.process }), ...opts.extraActivities },
    maxConcurrentActivityTaskExecutions: 50,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}
