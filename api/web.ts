/**
 * The screens, served by the API process: the team's app at /app (one page; its routes live in the
 * browser), the customer's pay page at /i/<token>, and their built assets under /assets. They are
 * built into web/dist by `npm run build:web`; without a build the API still runs and the pages
 * answer 503 web_not_built.
 */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../lib/config';
import { DomainError } from '../domain/errors';
import { invoiceByPayToken } from '../services/pay-links';
import { errorBody } from './errors';
import { limitRequests, rateLimitsOf, type RateLimitConfig } from './rate-limits';

/** web/dist beside the sources (tsx) or beside the compiled dist/ folder (node dist/api/main.js). */
export const WEB_DIST = [path.resolve(__dirname, '../web/dist'), path.resolve(__dirname, '../../web/dist')].find((dir) => existsSync(dir)) ?? path.resolve(__dirname, '../web/dist');

/** The pages take scripts, styles and data from this origin only, and are never framed. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Not found</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #1d2433">
<h1>This payment link is not valid</h1>
<p>The link may be mistyped, or the seller may have replaced it with a new one. Ask the seller for the current link.</p>
</body></html>
`;

export interface WebOptions {
  config: Partial<Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>> & RateLimitConfig;
  /** The app's rate-limit counter: the pay page is counted per client IP like the other routes without an API key. */
  counter: Redis;
  dist?: string;
}

export async function registerWeb(app: FastifyInstance, opts: WebOptions): Promise<void> {
  const dist = opts.dist ?? WEB_DIST;
  await app.register(fastifyStatic, {
    root: path.join(dist, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    immutable: true,
    maxAge: '365d',
    // Missing assets fall through to the API's JSON 404.
    wildcard: true,
  });

  const page = (reply: FastifyReply, file: 'index.html' | 'pay.html', extra: Record<string, string> = {}) => {
    const full = path.join(dist, file);
    if (!existsSync(full)) {
      return reply.status(503).header('retry-after', '30').send(errorBody('web_not_built', 'the web app is not built; run npm run build:web', {}));
    }
    return reply
      .headers({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
        ...extra,
      })
      .send(createReadStream(full));
  };

  const hide = { schema: { hide: true } };
  app.get('/app', hide, (_req, reply) => page(reply, 'index.html'));
  app.get('/app/*', hide, (_req, reply) => page(reply, 'index.html'));
  // Operator links the app shows (Temporal UI); nothing secret.
  app.get('/app/config.json', hide, async (_req, reply) =>
    reply.header('cache-control', 'no-cache').send({ temporalUiUrl: opts.config.TEMPORAL_UI_URL ?? null, temporalNamespace: opts.config.TEMPORAL_NAMESPACE ?? 'default' }),
  );
  await app.register(async (payPages) => {
    await limitRequests(payPages, opts.counter, { name: 'pay-page-ip', max: rateLimitsOf(opts.config).publicPerIp });
    // The token is in the URL: it must not leak to other sites through the Referer header.
    payPages.get<{ Params: { token: string } }>('/i/:token', hide, async (req, reply) => {
      const headers = { 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex' };
      // An unknown or replaced link is a plain 404 page, before any script loads.
      const known = await invoiceByPayToken(req.deps, req.params.token).then(
        () => true,
        (err) => !(err instanceof DomainError && err.kind === 'not_found'), // anything else: the page asks the API and says what is wrong
      );
      if (!known) return reply.status(404).headers({ ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }).send(NOT_FOUND_PAGE);
      return page(reply, 'pay.html', headers);
    });
  });
}
