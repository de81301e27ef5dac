/**
 * Bearer secrets handed to people (API keys, session cookies, sign-in links, pay links): random or
 * derived, shown once, and stored only as their SHA-256 so a database dump opens nothing.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What is stored (and looked up) instead of a token: its SHA-256, hex. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh unguessable token: `bytes` random bytes (256 bits by default) as base64url, after `prefix`. */
export const randomToken = (prefix = '', bytes = 32) => `${prefix}${randomBytes(bytes).toString('base64url')}`;
