/**
 * The browser's one way to the /v1 API: openapi-fetch typed by the generated schema.d.ts. The
 * session cookie rides along (same origin); the header marks the request as the app's own, which
 * the API requires of cookie-authenticated changes (CSRF).
 */
import createClient from 'openapi-fetch';
import { apiErrorOf, type ApiError } from '../lib/api-errors';
import type { paths } from './schema';

export const api = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin', headers: { 'X-Requested-With': 'payment-center' } });

type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
type Item<P extends keyof paths> = Ok<P, 'get' & keyof paths[P]> extends { data: (infer T)[] } ? T : never;
export type Contact = Item<'/v1/contacts'>;
export type Deal = Item<'/v1/deals'>;
export type Invoice = Item<'/v1/invoices'>;
export type InvoiceDetail = Ok<'/v1/invoices/{id}', 'get'>;
export type Payment = Item<'/v1/payments'>;
export type PlannedPayment = Item<'/v1/payment-plans'>;
export type PaymentMethod = Payment['method'];
export type Currency = Invoice['currency'];

/** A refused request, with the API's error (or a stand-in for a network failure). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number | undefined,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

/** Listeners for answers that end the session (401) or that the plan forbids (403 plan_required). */
const sessionListeners = new Set<(failure: ApiFailure) => void>();
export const onSessionProblem = (listener: (failure: ApiFailure) => void) => {
  sessionListeners.add(listener);
  return () => void sessionListeners.delete(listener);
};

/** The data of an openapi-fetch answer, or an ApiFailure thrown for its error. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>, opts: { quiet401?: boolean } = {}): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await request;
  } catch {
    throw new ApiFailure(undefined, apiErrorOf(undefined));
  }
  if (answer.response.ok) return answer.data as T;
  const failure = new ApiFailure(answer.response.status, apiErrorOf(answer.error, answer.response.status));
  const endsSession = (failure.status === 401 && !opts.quiet401) || failure.error.code === 'plan_required';
  if (endsSession) for (const listener of sessionListeners) listener(failure);
  throw failure;
}

/** A fresh Idempotency-Key: one per form opened, so a double submit or a retry is applied once. */
export const idempotencyKey = () => crypto.randomUUID();
