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

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: { ...createActivities({ orm: opts.orm, reminderQueue: opts.reminderQueue, reminderJobOptions: opts.reminderJobOptions, process: opts.process }), ...opts.extraActivities },
    maxConcurrentActivityTaskExecutions: 50,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}
