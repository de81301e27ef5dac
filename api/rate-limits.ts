/**
 * Request budgets per caller (@fastify/rate-limit, counted in Redis so every API process shares
 * them): per tenant on /v1, per client IP on the unauthenticated Stripe webhook. Over budget the
 * answer is 429 `rate_limited` with Retry-After. The limit protects, it never decides: while Redis
 * is unreachable requests pass uncounted instead of failing or waiting.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RATE_LIMIT_DEFAULTS, type Config } from '../lib/config';

export type RateLimitConfig = Partial<Pick<Config, keyof typeof RATE_LIMIT_DEFAULTS>>;
const WINDOW_MS = 60_000;

/** The app's own Redis connection for counting: commands fail at once while Redis is down. */
export function rateLimitRedis(app: FastifyInstance, redis: Redis): Redis {
  const counter = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 });
  counter.on('error', () => {}); // an unreachable Redis only skips counting
  app.addHook('onClose', async () => {
    counter.disconnect();
  });
  return counter;
}

const rateLimited = (_req: FastifyRequest, context: { max: number; after: string; ttl: number }) =>
  Object.assign(new Error(`rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`), { statusCode: 429, code: 'rate_limited' });

/** Counts every route registered after it in `scope`; `key` names the caller (after authentication for /v1). */
export async function limitRequests(scope: FastifyInstance, redis: Redis, opts: { name: string; max: number; key?: (req: FastifyRequest) => string }): Promise<void> {
  await scope.register(rateLimit, {
    redis,
    nameSpace: `pc:rate:${opts.name}:`,
    max: opts.max,
    timeWindow: WINDOW_MS,
    skipOnError: true,
    ...(opts.key && { keyGenerator: opts.key }),
    errorResponseBuilder: rateLimited,
  });
}

export const rateLimitsOf = (config: RateLimitConfig) => ({
  perTenant: config.RATE_LIMIT_PER_MINUTE ?? RATE_LIMIT_DEFAULTS.RATE_LIMIT_PER_MINUTE,
  webhookPerIp: config.WEBHOOK_RATE_LIMIT_PER_MINUTE ?? RATE_LIMIT_DEFAULTS.WEBHOOK_RATE_LIMIT_PER_MINUTE,
  publicPerIp: config.PUBLIC_RATE_LIMIT_PER_MINUTE ?? RATE_LIMIT_DEFAULTS.PUBLIC_RATE_LIMIT_PER_MINUTE,
});
