/**
 * Browser sessions of the team's web app. An API key, or a one-time sign-in link minted by the admin
 * CLI, opens a session; the browser keeps its token in an httpOnly cookie, the database only its hash.
 * A session ends when it expires, when it is signed out, or when the key it was opened with is revoked.
 */
import { v7 as uuidv7 } from 'uuid';
import { ApiKey, Session, SignInLink, Tenant } from '../db';
import { liveSessionOf, type CallerTenant, type LiveApiKey, type LiveSession } from '../db/repositories/callers';
import { MS_PER_HOUR } from '../domain/dates';
import { DomainError, notFound } from '../domain/errors';
import { isUuid } from '../domain/ids';
import { randomToken, tokenHash } from '../lib/tokens';
import type { ServiceDeps } from './context';
import { liveApiKey } from './tenants';

/** How long a session lasts from sign-in (the cookie's Max-Age says the same). */
export const SESSION_TTL_MS = 8 * MS_PER_HOUR;
/** How long a sign-in link can be redeemed (once). */
export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;

export type SignInCredentials = { apiKey: string } | { signInToken: string };

export interface OpenSession {
  /** The cookie value: shown once, never stored. */
  token: string;
  session: LiveSession;
}

const unauthorized = (message: string) => new DomainError('unauthorized', 'unauthorized', message);

/** The tenant of a sign-in link, redeemed now (a second redemption, or an expired link, finds none). */
async function redeemSignInLink(deps: ServiceDeps, token: string, now: Date): Promise<Tenant | null> {
  const hash = tokenHash(token);
  // One statement decides which of two concurrent redemptions wins.
  const redeemed = await deps.em.nativeUpdate(SignInLink, { tokenHash: hash, usedAt: null, expiresAt: { $gt: now } }, { usedAt: now });
  if (redeemed === 0) return null;
  const link = await deps.em.findOneOrFail(SignInLink, { tokenHash: hash }, { populate: ['tenant'] });
  return link.tenant;
}

/** Opens a session for every plan (a Starter user signs in to see that the plan lacks Payment Center). */
export async function signIn(deps: ServiceDeps, credentials: SignInCredentials, now = new Date()): Promise<OpenSession> {
  let tenant: CallerTenant;
  let key: LiveApiKey | null = null;
  if ('apiKey' in credentials) {
    key = await liveApiKey(deps, credentials.apiKey);
    if (!key) throw unauthorized('the API key is invalid or revoked');
    ({ tenant } = key);
  } else {
    const linked = await redeemSignInLink(deps, credentials.signInToken, now);
    if (!linked) throw unauthorized('the sign-in link is invalid, expired or already used; ask for a new one');
    tenant = linked;
  }
  const token = randomToken('pcs_');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  deps.em.create(Session, {
    id: uuidv7(),
    tenant: deps.em.getReference(Tenant, tenant.id),
    tokenHash: tokenHash(token),
    apiKey: key && deps.em.getReference(ApiKey, key.keyId),
    createdAt: now,
    expiresAt,
    endedAt: null,
  });
  await deps.em.flush();
  return { token, session: { tenant, expiresAt, apiKeyPrefix: key?.keyPrefix ?? null } };
}

/** The live session a cookie holds (not expired, not ended, its key not revoked), or null. */
export const liveSession = (deps: ServiceDeps, token: string, now = new Date()): Promise<LiveSession | null> => liveSessionOf(deps.em, tokenHash(token), now);

/** Signs a session out; ending one that is already over changes nothing. */
export async function endSession(deps: ServiceDeps, token: string, now = new Date()): Promise<void> {
  await deps.em.nativeUpdate(Session, { tokenHash: tokenHash(token), endedAt: null }, { endedAt: now });
}

/** A one-time sign-in URL for a tenant's web app (admin CLI), valid for SIGN_IN_LINK_TTL_MS. */
export async function createSignInLink(deps: ServiceDeps, tenantId: string, now = new Date()): Promise<{ tenantId: string; url: string; expiresAt: Date }> {
  const tenant = isUuid(tenantId) ? await deps.em.findOne(Tenant, { id: tenantId }) : null;
  if (!tenant) throw notFound('tenant', tenantId);
  const token = randomToken('pcl_');
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS);
  deps.em.create(SignInLink, { id: uuidv7(), tenant, tokenHash: tokenHash(token), createdAt: now, expiresAt, usedAt: null });
  await deps.em.flush();
  // In the fragment: browsers never send it to a server or put it in a Referer.
  return { tenantId, url: `${deps.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/app/sign-in#token=${token}`, expiresAt };
}
