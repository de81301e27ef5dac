/**
 * The one place a Stripe SDK client is built: pinned API version, bounded retries and timeout,
 * and host/port/protocol from config (tests point these at a local fake of Stripe's API).
 * Stripe errors become DomainErrors so the API never answers 500 for a Stripe-side problem.
 */
import Stripe from 'stripe';
import { DomainError } from '../domain/errors';
import type { ServiceDeps } from './context';

/** Pinned: webhook payloads and responses are read with this version's shapes. */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

const clients = new Map<string, Stripe>();

export function stripeClient(config: ServiceDeps['config'], secretKey: string): Stripe {
  const cacheKey = `${config.STRIPE_API_PROTOCOL ?? ''}|${config.STRIPE_API_HOST ?? ''}|${config.STRIPE_API_PORT ?? ''}|${secretKey}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new Stripe(secretKey, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
      ...(config.STRIPE_API_HOST && { host: config.STRIPE_API_HOST }),
      ...(config.STRIPE_API_PORT !== undefined && { port: config.STRIPE_API_PORT }),
      ...(config.STRIPE_API_PROTOCOL && { protocol: config.STRIPE_API_PROTOCOL }),
    });
    if (clients.size > 1000) clients.clear();
    clients.set(cacheKey, client);
  }
  return client;
}

/** Signature verification needs no API key and makes no network call. */
export const stripeWebhooks = Stripe.webhooks;

export function fromStripeError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as { type?: string; message?: string; code?: string; statusCode?: number; requestId?: string };
  const details = { stripeType: e.type ?? null, stripeCode: e.code ?? null, stripeStatus: e.statusCode ?? null, requestId: e.requestId ?? null };
  switch (e.type) {
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new DomainError('unprocessable', 'stripe_auth_failed', `Stripe rejected the tenant's secret key: ${e.message ?? ''}`, details);
    case 'StripeInvalidRequestError':
    case 'StripeCardError':
    case 'StripeIdempotencyError':
      return new DomainError('unprocessable', 'stripe_request_rejected', `Stripe rejected the request: ${e.message ?? ''}`, details);
    default:
      return new DomainError('unavailable', 'stripe_unavailable', `Stripe could not be reached or failed; retry later: ${e.message ?? String(err)}`, details);
  }
}

export async function callStripe<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromStripeError(err);
  }
}
