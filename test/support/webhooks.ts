/** A real local webhook receiver (node:http on a free loopback port) and condition waits for the webhook tests. */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from './net';
import type { TestStack } from './stack';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses to answer next, in order (then 200); a function decides per request ('hang': never; a promise: when it settles). */
  answers: (number | ((r: Received) => number | 'hang' | Promise<number>))[];
  close(): Promise<void>;
}

export async function startReceiver(path = '/hooks'): Promise<Receiver> {
  const port = await freePort();
  const received: Received[] = [];
  const answers: Receiver['answers'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: Received = { headers: req.headers, raw, body: JSON.parse(raw), at: Date.now() };
      received.push(r);
      const next = answers.shift() ?? 200;
      const status = typeof next === 'function' ? await next(r) : next;
      if (status === 'hang') return; // never answers (the sender dies or times out)
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The file's receiver, on a stack with fast webhook settings: started before its tests, closed after. */
export function useWebhookReceiver(stack: TestStack): Receiver {
  const receiver = {} as Receiver;
  beforeAll(async () => {
    fastWebhooks(stack);
    Object.assign(receiver, await startReceiver());
  });
  afterAll(() => receiver.close?.());
  return receiver;
}

/** Polls `check` until it returns a value that is not undefined/false (condition-based, never a fixed sleep). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const WEBHOOK_TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** Webhook settings for quick tests: fast polls and retries, loopback receivers allowed. */
export function fastWebhooks(stack: TestStack, extra: Record<string, unknown> = {}): void {
  Object.assign(stack.process.config, { ENCRYPTION_KEY: WEBHOOK_TEST_ENCRYPTION_KEY, WEBHOOK_ALLOW_PRIVATE_URLS: true, WEBHOOK_POLL_MS: 25, WEBHOOK_RETRY_BASE_MS: 50, WEBHOOK_RETRY_MAX_MS: 200, WEBHOOK_TIMEOUT_MS: 5_000, ...extra });
}

type Request = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>;

/** A payment as a well-behaved client makes it: a 503 (a busy worker) is retried with the same Idempotency-Key. */
export async function payInvoice(request: Request, invoiceId: string, body: Record<string, unknown>, key = `${invoiceId}-${JSON.stringify(body)}`) {
  for (let attempt = 1; ; attempt++) {
    const res = await request('POST', `/v1/invoices/${invoiceId}/payments`, body, { 'idempotency-key': key });
    if (res.status !== 503 || attempt >= 5) return res;
  }
}
