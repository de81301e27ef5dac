/** Worker process: runs invoice workflows and their activities, and the reminder queue's worker, until SIGINT/SIGTERM. */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createOrm } from '../db/orm';
import { serveMetrics, workerRegistry } from '../lib/metrics';
import { createReminderQueue, producerConnection, workerConnection } from '../lib/queues';
import { createTemporalClient } from '../lib/temporal';
import { createWorker } from './create-worker';
import { channelsFromConfig } from './channels';
import { createReminderWorker } from './reminder-worker';
import { startWebhookDispatcher } from './webhook-dispatcher';

async function main() {
  const config = loadConfig();
  const orm = await createOrm(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const producerRedis = producerConnection(config.REDIS_URL);
  const reminderQueue = createReminderQueue(producerRedis);
  const consumerRedis = workerConnection(config.REDIS_URL);
  const channels = channelsFromConfig(orm, config);
  const reminderWorker = createReminderWorker({ orm, connection: consumerRedis, channels, config });
  const temporal = await createTemporalClient(config);
  const worker = await createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, orm, reminderQueue, process: { orm, temporal, config }, maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS });
  const webhooks = startWebhookDispatcher({ orm, config });
  const metrics = await serveMetrics(workerRegistry, { host: config.HOST, port: config.WORKER_METRICS_PORT });
  console.log(`worker listening on task queue ${config.TEMPORAL_TASK_QUEUE}; metrics at http://${config.HOST}:${config.WORKER_METRICS_PORT}/metrics`);
  // Worker.run() handles SIGINT/SIGTERM: it stops polling and drains in-flight tasks.
  await worker.run();
  // Finishes in-flight reminder jobs (or returns them to the queue) before closing.
  await reminderWorker.close();
  await webhooks.stop();
  metrics.close();
  await reminderQueue.close();
  for (const c of channels) (c as { close?: () => void }).close?.();
  producerRedis.disconnect();
  consumerRedis.disconnect();
  await temporal.connection.close();
  await connection.close();
  await orm.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
