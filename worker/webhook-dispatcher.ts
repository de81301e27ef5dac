/**
 * The webhook dispatcher (runs in the worker process): the relay turns outbox rows (written by the
 * invoice_events trigger) into deliveries, then due deliveries are sent, signed, and every attempt is
 * recorded. Several lanes (and several worker processes) share the work by claiming deliveries for a
 * lease (SKIP LOCKED for the claim itself, committed before anything is sent: no transaction or
 * pooled connection is held while a receiver takes its time); a dispatcher killed mid-send leaves its
 * deliveries pending, due again when their lease ends, and the next one sends them again with the
 * same event id — at least once, never lost.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { claimDueDeliveries, lockUnrelayedEvents, recordAttempt, relayEvents, type DueDelivery } from '../db/repositories/webhook-deliveries';
import { DEFAULT_RETRY_POLICY, isDelivered, nextAttemptAt, webhookPayload, webhookTypeFor, type RetryPolicy } from '../domain/webhook-events';
import type { Config } from '../lib/config';
import { EVENT_ID_HEADER, SEQUENCE_HEADER, SIGNATURE_HEADER, signWebhook } from '../lib/webhook-signature';
import { guardedLookup, isPrivateAddress } from '../lib/webhook-urls';
import { allowsPrivateUrls, openWebhookSecret } from '../services/webhook-endpoints';

/** Read at every pass, so a test (or an operator's reload) can change them on the shared object. */
export type DispatcherConfig = Partial<Pick<Config, 'ENCRYPTION_KEY' | 'WEBHOOK_ALLOW_PRIVATE_URLS' | 'WEBHOOK_RETRY_BASE_MS' | 'WEBHOOK_RETRY_MAX_MS' | 'WEBHOOK_RETRY_WINDOW_MS' | 'WEBHOOK_POLL_MS' | 'WEBHOOK_TIMEOUT_MS'>>;

export interface WebhookDispatcherOptions {
  orm: MikroORM;
  /** A DispatcherConfig: the process's full config, or a test stack's partial one (typed loosely for the latter). */
  config: object;
  /** Concurrent claim-and-send loops in this process. */
  lanes?: number;
  /** Deliveries one lane claims and sends together. */
  batch?: number;
  onError?: (err: unknown) => void;
}

const MAX_ERROR_LENGTH = 500;
/** Outbox rows one relay pass takes; a pass that takes fewer drained the outbox. */
export const RELAY_BATCH = 200;

export interface SendOutcome {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** One POST; any answer is read and dropped. Never throws: a failure is an outcome. */
export function postWebhook(url: string, body: string, headers: Record<string, string>, opts: { timeoutMs: number; allowPrivate: boolean }): Promise<SendOutcome> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): SendOutcome => ({ statusCode, latencyMs: Math.round(performance.now() - started), error: error && error.slice(0, MAX_ERROR_LENGTH) });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(done(null, 'invalid url'));
    }
    // An IP literal never reaches the lookup: checked here.
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!opts.allowPrivate && isIP(host) && isPrivateAddress(host)) return resolve(done(null, `refused: ${host} is a private address`));
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guardedLookup(opts.allowPrivate), timeout: opts.timeoutMs },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(done(res.statusCode ?? null, null)));
        res.on('error', (err) => resolve(done(res.statusCode ?? null, err.message)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err) => resolve(done(null, err.message)));
    req.end(body);
  });
}

/** Outbox rows to deliveries, in one transaction per batch (idempotent). Returns the rows relayed. */
export async function relayOutbox(orm: MikroORM): Promise<number> {
  return orm.em.fork().transactional(async (tx) => {
    const rows = await lockUnrelayedEvents(tx, RELAY_BATCH);
    await relayEvents(tx, rows.map((r) => ({ id: r.id, type: webhookTypeFor(r.historyType, r.data) })));
    return rows.length;
  });
}

function policyOf(config: DispatcherConfig): RetryPolicy {
  return {
    baseMs: config.WEBHOOK_RETRY_BASE_MS ?? DEFAULT_RETRY_POLICY.baseMs,
    maxMs: config.WEBHOOK_RETRY_MAX_MS ?? DEFAULT_RETRY_POLICY.maxMs,
    windowMs: config.WEBHOOK_RETRY_WINDOW_MS ?? DEFAULT_RETRY_POLICY.windowMs,
  };
}

async function attempt(config: DispatcherConfig, d: DueDelivery): Promise<SendOutcome> {
  let secret: string;
  try {
    secret = openWebhookSecret(config, d.tenantId, d.endpointId, d.secretEnc);
  } catch (err) {
    return { statusCode: null, latencyMs: 0, error: (err as Error).message };
  }
  const body = JSON.stringify(webhookPayload({ id: d.eventId, type: d.type, occurredAt: d.occurredAt, sequence: d.sequence, invoice: d.invoice, data: d.data }));
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'PaymentCenter-Webhooks/1.0',
    [SIGNATURE_HEADER]: signWebhook(secret, body),
    [EVENT_ID_HEADER]: d.eventId,
    [SEQUENCE_HEADER]: String(d.sequence),
  };
  return postWebhook(d.url, body, headers, { timeoutMs: config.WEBHOOK_TIMEOUT_MS ?? 10_000, allowPrivate: allowsPrivateUrls(config) });
}

/**
 * How long a claim holds: the send's timeout plus room to record it. A dispatcher stalled past it may
 * see its delivery sent again by another (at least once; receivers dedupe by event id).
 */
export const leaseMsFor = (config: DispatcherConfig) => {
  const timeoutMs = config.WEBHOOK_TIMEOUT_MS ?? 10_000;
  return timeoutMs + Math.max(1_000, Math.round(timeoutMs / 2));
};

/** Claims due deliveries, sends them together, records each attempt as it ends; returns how many were sent. */
export async function dispatchDue(orm: MikroORM, config: DispatcherConfig, batch = 10): Promise<number> {
  const due = await claimDueDeliveries(orm.em.fork(), batch, leaseMsFor(config));
  const policy = policyOf(config);
  await Promise.all(
    due.map(async (d) => {
      const startedAt = new Date();
      const outcome = await attempt(config, d);
      const n = d.attempts + 1;
      const delivered = isDelivered(outcome.statusCode);
      const retryAt = delivered ? null : nextAttemptAt(policy, n, d.queuedAt, new Date());
      const error = outcome.error ?? (delivered ? null : `answered ${outcome.statusCode}`);
      await recordAttempt(orm.em.fork(), d, n, { startedAt, ...outcome, error, status: delivered ? 'delivered' : retryAt ? 'pending' : 'failed', nextAttemptAt: retryAt });
    }),
  );
  return due.length;
}

/** Runs until stop(): lane 0 relays, then each lane sends what is due; a lane sleeps WEBHOOK_POLL_MS when it sent nothing and the outbox is drained. */
export function startWebhookDispatcher(opts: WebhookDispatcherOptions): { stop(): Promise<void> } {
  const { orm, lanes = 4, batch = 10, onError = (err) => console.error('webhook dispatcher:', err) } = opts;
  const config = opts.config as DispatcherConfig;
  let stopping = false;
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const lane = async (i: number) => {
    while (!stopping) {
      let busy = false;
      try {
        // Relayed rows only make work when they became deliveries (dispatchDue sends those now); a
        // partial relay batch drained the outbox, so a tenant without endpoints does not keep lane 0 spinning.
        if (i === 0) busy = (await relayOutbox(orm)) >= RELAY_BATCH;
        busy = (await dispatchDue(orm, config, batch)) > 0 || busy;
      } catch (err) {
        onError(err);
      }
      if (!busy && !stopping) await sleep(config.WEBHOOK_POLL_MS ?? 500);
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  return {
    async stop() {
      stopping = true;
      for (const wake of [...sleepers]) wake();
      await running;
    },
  };
}
