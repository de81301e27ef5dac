/** Builds the Temporal worker for the payment-center task queue; used by worker/main.ts and tests. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createActivities } from '../activities';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  orm: MikroORM;
  /** Prebundled workflow code (tests bundle once); otherwise bundled from workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: { ...createActivities({ orm: opts.orm }), ...opts.extraActivities },
    maxConcurrentActivityTaskExecutions: 50,
  });
}
