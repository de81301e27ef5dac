/** Worker process: runs invoice workflows and their activities until SIGINT/SIGTERM. */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createOrm } from '../db/orm';
import { createWorker } from './create-worker';

async function main() {
  const config = loadConfig();
  const orm = await createOrm(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, orm });
  console.log(`worker listening on task queue ${config.TEMPORAL_TASK_QUEUE}`);
  // Worker.run() handles SIGINT/SIGTERM: it stops polling and drains in-flight tasks.
  await worker.run();
  await connection.close();
  await orm.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
