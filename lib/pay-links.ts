/**
 * Pay-page links: `PUBLIC_BASE_URL/i/<token>`, the token HMAC-SHA256(PAY_LINK_SECRET, `<invoice id>:<rotation>`)
 * (256 bits, base64url). Derived, so the API and the reminder worker can show an invoice's link again
 * without storing it; the database keeps only the token's hash (lib/tokens.ts), for lookup.
 */
import { createHmac } from 'node:crypto';
import type { Config } from './config';
import { tokenHash } from './tokens';

export type PayLinkConfig = Pick<Config, 'PUBLIC_BASE_URL' | 'PAY_LINK_SECRET'>;

export const payLinkToken = (config: PayLinkConfig, invoiceId: string, rotation: number) =>
  createHmac('sha256', config.PAY_LINK_SECRET).update(`${invoiceId}:${rotation}`).digest('base64url');

/** What invoice_pay_links.token_hash holds for the invoice's link number `rotation`. */
export const payLinkHash = (config: PayLinkConfig, invoiceId: string, rotation: number) => tokenHash(payLinkToken(config, invoiceId, rotation));

/** The pay page a token opens. */
export const payPageUrl = (config: PayLinkConfig, token: string) => `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/i/${token}`;

/** The customer's link to the invoice while `rotation` is its live one. */
export const customerUrl = (config: PayLinkConfig, invoiceId: string, rotation: number) => payPageUrl(config, payLinkToken(config, invoiceId, rotation));
