/**
 * Signing outbound webhooks exactly as Stripe signs its own: header
 * `Payment-Center-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * Receivers verify with verifyWebhookSignature over the raw body bytes (before any JSON parsing),
 * rejecting timestamps more than `toleranceSec` (default 300 s) away from their clock (replays).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Payment-Center-Signature';
export const EVENT_ID_HEADER = 'Payment-Center-Event-Id';
export const SEQUENCE_HEADER = 'Payment-Center-Sequence';
export const DEFAULT_TOLERANCE_SEC = 300;

const hmac = (secret: string, t: number, body: string | Buffer) => createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');

/** The header value for `body` signed at `t` (unix seconds). */
export function signWebhook(secret: string, body: string | Buffer, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export type VerifyFailure = 'malformed_header' | 'timestamp_outside_tolerance' | 'signature_mismatch';

/** null when the header is a valid signature of `body` (any of several v1 values may match, as during a secret roll). */
export function checkWebhookSignature(
  secret: string,
  body: string | Buffer,
  header: string | undefined,
  opts: { toleranceSec?: number; now?: number } = {},
): VerifyFailure | null {
  if (!header) return 'malformed_header';
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v);
  if (!Number.isSafeInteger(t) || signatures.length === 0) return 'malformed_header';
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC)) return 'timestamp_outside_tolerance';
  const expected = Buffer.from(hmac(secret, t, body), 'utf8');
  const ok = signatures.some((s) => {
    const given = Buffer.from(s, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return ok ? null : 'signature_mismatch';
}

/** Throws unless `header` is a valid, fresh signature of the raw `body`. */
export function verifyWebhookSignature(secret: string, body: string | Buffer, header: string | undefined, opts: { toleranceSec?: number; now?: number } = {}): void {
  const failure = checkWebhookSignature(secret, body, header, opts);
  if (failure) throw new Error(`invalid webhook signature: ${failure}`);
}
