/**
 * The HTTP API: wiring only. Validation comes from the routes' TypeBox schemas, errors from the
 * single handler in errors.ts, behaviour from services/.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Redis } from 'ioredis';
import type { QueueNaming } from '../lib/queues';
import { countInvoicesNeedingAttention } from '../db/repositories/invoices';
import type { ProcessDeps } from '../services/context';
import { registerAdminQueues } from './admin-queues';
import { optionalNullableBodies, registerContract } from './contract';
import { requireTenant } from './auth';
import { answerFrameworkError, MAX_PARAM_LENGTH, registerErrorHandling } from './errors';
import { claimOrReplay, rememberAnswer } from './idempotency';
import { rejectUnstorableText } from './input-rules';
import { registerMetrics } from './metrics';
import { limitRequests, rateLimitRedis, rateLimitsOf, type RateLimitConfig } from './rate-limits';
import { MAX_BODY_BYTES, registerRequestScope } from './request-scope';
import { contactRoutes } from './routes/contacts';
import { dealRoutes } from './routes/deals';
import { exportRoutes } from './routes/exports';
import { invoiceRoutes } from './routes/invoices';
import { paymentPlanRoutes } from './routes/payment-plans';
import { payPageRoutes } from './routes/pay-page';
import { moneyMovementRoutes } from './routes/money-movements';
import { paymentRoutes } from './routes/payments';
import { reminderRoutes } from './routes/reminders';
import { sessionRoutes } from './routes/sessions';
import { settingsRoutes } from './routes/settings';
import { stripeRoutes } from './routes/stripe';
import { stripeWebhookRoutes } from './routes/stripe-webhooks';
import { webhookEndpointRoutes } from './routes/webhook-endpoints';
import { ErrorResponse } from './schemas/common';
import { registerWeb } from './web';

/** The resources under /v1 that need an API key; a new resource adds its route module here. */
const TENANT_ROUTES = [contactRoutes, dealRoutes, invoiceRoutes, paymentRoutes, paymentPlanRoutes, reminderRoutes, stripeRoutes, settingsRoutes, webhookEndpointRoutes, moneyMovementRoutes, exportRoutes];

export interface AppDeps extends ProcessDeps {
  config: ProcessDeps['config'] & RateLimitConfig;
  redis: Redis;
  /** Bull Board at /admin/queues; defaults to config.ADMIN_TOKEN when the full config is passed. Unset: not mounted. */
  adminToken?: string;
  reminderQueue?: QueueNaming;
}

/** Bodies are validated strictly (a string is never a number); query strings and params are coerced. */
function validatorCompilers() {
  const strict = addFormats(new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: true, strict: false }));
  const coercing = addFormats(new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: true, strict: false }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? strict : coercing).compile(schema);
}

export async function buildApp(deps: AppDeps, opts: FastifyServerOptions = {}): Promise<FastifyInstance> {
  // Long path parameters reach their schemas (a 400 naming the field); past MAX_PARAM_LENGTH, and for
  // a path that is not valid percent-encoding, the router's refusals are answered in the Error shape.
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, routerOptions: { maxParamLength: MAX_PARAM_LENGTH }, frameworkErrors: answerFrameworkError, ...opts }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompilers());
  registerErrorHandling(app);
  registerContract(app);
  registerRequestScope(app, deps);
  app.addHook('preValidation', rejectUnstorableText);
  app.addSchema(ErrorResponse);
  await app.register(cookie);
  registerMetrics(app, deps);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Payment Center API', version: '1.0.0', description: 'Invoices, payments and payment plans. Money is in integer minor units.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'pc_session', description: 'the web app: POST /v1/session sets it; unsafe methods also need X-Requested-With: payment-center' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    // Shared schemas keep their $id as the component name (#/components/schemas/Error).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transformObject: (document) => optionalNullableBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (req, reply) => {
    const checks = await Promise.all([
      deps.orm.em.getConnection().execute('select 1').then(() => 'ok', (e: Error) => e.message),
      deps.redis.ping().then(() => 'ok', (e: Error) => e.message),
      deps.temporal.connection.workflowService.getSystemInfo({}).then(() => 'ok', (e: Error) => e.message),
    ]);
    const [postgres, redis, temporal] = checks;
    const ready = checks.every((c) => c === 'ok');
    if (!ready) req.log.warn({ checks: { postgres, redis, temporal } }, 'not ready: a dependency does not answer');
    // Needs an operator, but does not make the process unready (see README, Operating).
    const invoicesNeedingAttention = postgres === 'ok' ? await countInvoicesNeedingAttention(req.deps.em).catch(() => null) : null;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { postgres, redis, temporal }, invoicesNeedingAttention });
  });

  const counter = rateLimitRedis(app, deps.redis);
  const limits = rateLimitsOf(deps.config);
  await registerWeb(app, { config: deps.config, counter });
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', requireTenant);
      await limitRequests(v1, counter, { name: 'tenant', max: limits.perTenant, key: (req) => req.tenant.id });
      v1.addHook('preHandler', claimOrReplay);
      v1.addHook('onSend', rememberAnswer);
      for (const routes of TENANT_ROUTES) await v1.register(routes);
    },
    { prefix: '/v1' },
  );
  // Without an API key (signing in, the customer's pay page): counted per client IP.
  await app.register(
    async (open) => {
      await limitRequests(open, counter, { name: 'public-ip', max: limits.publicPerIp });
      await open.register(sessionRoutes);
      await open.register(payPageRoutes);
    },
    { prefix: '/v1' },
  );
  await registerAdminQueues(app, { redis: deps.redis, adminToken: deps.adminToken ?? (deps.config as { ADMIN_TOKEN?: string }).ADMIN_TOKEN, queue: deps.reminderQueue });
  // Stripe authenticates webhooks by signature: no API-key hooks, raw-body parser scoped to the plugin.
  await app.register(
    async (webhooks) => {
      await limitRequests(webhooks, counter, { name: 'webhook-ip', max: limits.webhookPerIp });
      await webhooks.register(stripeWebhookRoutes);
    },
    { prefix: '/v1/webhooks' },
  );
  return app;
}
