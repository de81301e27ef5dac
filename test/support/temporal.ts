/** Real Temporal servers for tests: the time-skipping test server and the local dev server. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { ReminderJobData } from '../../lib/queues';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SearchAttr } from '../../workflows/definitions';
import { createWorker } from '../../worker/create-worker';
import type { ProcessDeps } from '../../services/context';
import { freePort } from './net';

export const WORKFLOW_BUNDLE = { codePath: join(__dirname, '..', '..', '.data', 'test', 'workflow-bundle.js') };

let runtimeInstalled = false;
/** Keep the SDK quiet in test output (warnings and errors still show). */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed by another module in this worker */
  }
}

export function testServerPath(): string {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set; run tests with npm test');
  return path;
}

/** The time-skipping test server, from the pinned project-local binary (never downloaded). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
}

/** Connections to the dev server started by scripts/services.sh (TEMPORAL_ADDRESS). */
export async function connectDevServer(
  address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
): Promise<{ client: Client; connection: Connection; nativeConnection: NativeConnection }> {
  quietRuntime();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return { client: new Client({ connection, namespace: 'default' }), connection, nativeConnection };
}

/** A real client whose server is not there (a loopback port nothing listens on): every call fails as when Temporal is down. */
export async function unreachableTemporal(): Promise<Client> {
  // No gRPC retry interceptor: each call fails at once instead of after the SDK's ~20 s of retries.
  return new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: '1 second', interceptors: [] }), namespace: 'default' });
}

/** `--search-attribute Name=Type` flags for a dev server of a test's own: every key the workflow uses. */
export function searchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', DATETIME: 'Datetime', INT: 'Int', BOOL: 'Bool', DOUBLE: 'Double', KEYWORD_LIST: 'KeywordList' };
  return Object.values(SearchAttr).flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}

export const uniqueTaskQueue = (prefix: string) => `${prefix}-${randomUUID()}`;

export async function startWorker(opts: { connection: NativeConnection; namespace?: string; taskQueue: string; orm: MikroORM; process?: ProcessDeps; reminderQueue?: Queue<ReminderJobData> }) {
  const worker = await createWorker({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    orm: opts.orm,
    workflowBundle: WORKFLOW_BUNDLE,
    process: opts.process,
    reminderQueue: opts.reminderQueue,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
