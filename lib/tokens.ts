/**
 * Bearer secrets handed to people (API keys, session cookies, sign-in links, pay links): random or
 * derived, shown once, and stored only as their SHA-256 so a database dump opens nothing.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** What is stored (and looked up) instead of a token: its SHA-256, hex. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh unguessable token: `bytes` random bytes (256 bits by default) as base64url, after `prefix`. */
export const randomToken = (prefix = '', bytes = 32) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/**
 * The pay-page token of an invoice's link number `rotation`: HMAC-SHA256 under PAY_LINK_SECRET, so the
 * API can show the current link again without storing it, and a rotation makes a new unrelated one.
 */
export const payLinkToken = (secret: string, invoiceId: string, rotation: number) => createHmac('sha256', secret).update(`${invoiceId}:${rotation}`).digest('base64url');
