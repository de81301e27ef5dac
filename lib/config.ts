/**
 * Configuration comes from the environment only, validated once at boot.
 * Local-stack defaults exist for addresses; secrets never have a fallback.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** High enough that no test or bench run meets them; production sets its own. */
export const RATE_LIMIT_DEFAULTS = { RATE_LIMIT_PER_MINUTE: 6000, WEBHOOK_RATE_LIMIT_PER_MINUTE: 12000, PUBLIC_RATE_LIMIT_PER_MINUTE: 1200 } as const;

const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  /** The worker process serves its Prometheus metrics here (GET /metrics on HOST); 0 picks a free port. */
  WORKER_METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /**
   * Invoice workflows the worker keeps in memory between tasks (Temporal's sticky cache; others replay
   * their short history on their next task). The SDK's default follows the heap (about 2,300 here), and
   * a full cache of that size slowed the worker's tasks about 20× with 15,000 live invoices (docs/scale.md).
   */
  WORKER_MAX_CACHED_WORKFLOWS: Type.Integer({ minimum: 0, default: 500 }),
  DATABASE_URL: Type.String({ default: 'postgres://payment_center:payment_center@127.0.0.1:55432/payment_center' }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:56379' }),
  TEMPORAL_ADDRESS: Type.String({ default: '127.0.0.1:7233' }),
  TEMPORAL_NAMESPACE: Type.String({ default: 'default' }),
  TEMPORAL_TASK_QUEUE: Type.String({ default: 'payment-center' }),
  TEMPORAL_UI_URL: Type.String({ default: 'http://127.0.0.1:8233' }),
  PUBLIC_BASE_URL: Type.String({ default: 'http://127.0.0.1:3000' }),
  /** Protects operator pages (Bull Board). Unset: those pages are not mounted. */
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  /**
   * Derives every invoice's pay-page token (HMAC-SHA256; lib/tokens.ts): required, no fallback. Changing it
   * changes every customer link and the old ones stop working.
   */
  PAY_LINK_SECRET: Type.String({ minLength: 32, description: 'at least 32 random characters, e.g. openssl rand -hex 32' }),
  /** 32 bytes, base64: encrypts integration secrets at rest. Unset: integrations cannot be saved. */
  ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 40 })),
  SMTP_URL: Type.Optional(Type.String()),
  REMINDER_FROM: Type.String({ default: 'billing@payment-center.local' }),
  STRIPE_API_HOST: Type.Optional(Type.String()),
  STRIPE_API_PORT: Type.Optional(Type.Integer()),
  STRIPE_API_PROTOCOL: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')])),
  /** Requests per minute one tenant may send to /v1 (all its API keys together); then 429. */
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: RATE_LIMIT_DEFAULTS.RATE_LIMIT_PER_MINUTE }),
  /** Requests per minute one client IP may send to the (unauthenticated) Stripe webhook. */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: RATE_LIMIT_DEFAULTS.WEBHOOK_RATE_LIMIT_PER_MINUTE }),
  /** Requests per minute one client IP may send to the routes without an API key: sign-in and the customer's pay page. */
  PUBLIC_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: RATE_LIMIT_DEFAULTS.PUBLIC_RATE_LIMIT_PER_MINUTE }),
  /** Outbound webhooks may go to private, loopback and link-local addresses (the local stack only; never in production). */
  WEBHOOK_ALLOW_PRIVATE_URLS: Type.Boolean({ default: false }),
  /** Outbound webhook retries: first wait, longest wait, and how long after queueing a delivery is given up (3 days). */
  WEBHOOK_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 60_000 }),
  WEBHOOK_RETRY_MAX_MS: Type.Integer({ minimum: 1, default: 6 * 3_600_000 }),
  WEBHOOK_RETRY_WINDOW_MS: Type.Integer({ minimum: 1, default: 3 * 86_400_000 }),
  /** How often the worker's webhook dispatcher looks for new events and due retries; one attempt's time limit. */
  WEBHOOK_POLL_MS: Type.Integer({ minimum: 10, default: 500 }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) if (env[key] !== undefined && env[key] !== '') raw[key] = env[key];
  const value = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, value)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path.slice(1) || '(root)'}: ${e.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return value as Config;
}
