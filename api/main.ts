/** API process: validated config, real connections, graceful shutdown. */
import { Redis } from 'ioredis';
import { loadConfig } from '../lib/config';
import { createOrm } from '../db/orm';
import { createTemporalClient } from '../lib/temporal';
import { buildApp } from './app';
import { scopeOf } from '../services/context';
import { recentOrphans, startRecoverySweeps } from '../services/reconcile';
import { retryReceivedStripeEvents } from '../services/stripe-events';

async function main() {
  const config = loadConfig();
  const orm = await createOrm(config.DATABASE_URL);
  const temporal = await createTemporalClient(config);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  const app = await buildApp({ orm, temporal, redis, config }, { logger: { level: config.LOG_LEVEL } });
  // Invoices committed without their workflow, and Stripe events stored while Temporal was
  // unreachable, are picked up again from here.
  const stopSweeper = startRecoverySweeps(
    () => scopeOf({ orm, temporal, config }),
    [
      { name: 'invoices without a workflow', run: recentOrphans(app.log) },
      { name: 'Stripe events not handed to Temporal', run: (deps) => retryReceivedStripeEvents(deps) },
    ],
    { log: app.log },
  );
  const close = async () => {
    await stopSweeper();
    await app.close();
    await Promise.allSettled([orm.close(), temporal.connection.close(), redis.quit()]);
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ host: config.HOST, port: config.PORT });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
