/**
 * Prints the API's OpenAPI document (what /docs/json serves) without any service running: the app
 * is built with stand-ins for its connections, which describing the routes never touches.
 */
import { Redis } from 'ioredis';
import { buildApp, type AppDeps } from '../api/app';

(async () => {
  const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false });
  redis.on('error', () => {});
  const app = await buildApp({ orm: { em: {} } as never, temporal: {} as never, redis, config: { TEMPORAL_TASK_QUEUE: 'openapi', PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: 'only-describing-the-routes-000000' } as AppDeps['config'] });
  await app.ready();
  process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
  await app.close();
  redis.disconnect();
})();
