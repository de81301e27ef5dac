/**
 * Who is calling /v1: a Bearer API key (integrations), or the web app's session cookie; and plan
 * gating: Payment Center routes need Professional or above. A cookie is sent by the browser on its
 * own, so a cookie-authenticated request that changes something must also carry a header no
 * cross-site form can set (CSRF).
 */
import type { FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { LiveSession } from '../db/repositories/callers';
import { DomainError } from '../domain/errors';
import { planIncludesPaymentCenter } from '../domain/tenant';
import { liveSession, SESSION_TTL_MS } from '../services/sessions';
import { authenticate, tenantContext } from '../services/tenants';
import type { TenantContext } from '../services/context';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: TenantContext;
  }
}

export const SESSION_COOKIE = 'pc_session';
/** The web app sends `X-Requested-With: payment-center` on every request. */
export const CSRF_HEADER = 'x-requested-with';
export const CSRF_HEADER_VALUE = 'payment-center';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie's attributes: httpOnly, SameSite=Lax, whole site, Secure when served over https. */
export const sessionCookieOptions = (publicBaseUrl: string): CookieSerializeOptions => ({
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  secure: publicBaseUrl.startsWith('https:'),
  maxAge: SESSION_TTL_MS / 1000,
});

const bearerKey = (request: FastifyRequest) => {
  const header = request.headers.authorization;
  return header ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null) : null;
};

/** The session the request's cookie holds, or null; an unsafe method without the CSRF header is refused. */
export async function cookieSession(request: FastifyRequest): Promise<LiveSession | null> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== CSRF_HEADER_VALUE) {
    throw new DomainError('forbidden', 'csrf_required', `a request signed in by cookie that changes something must send the header ${CSRF_HEADER}: ${CSRF_HEADER_VALUE}`);
  }
  return liveSession(request.deps, token);
}

async function caller(request: FastifyRequest): Promise<TenantContext> {
  if (request.headers.authorization !== undefined) {
    const key = bearerKey(request);
    if (!key) throw new DomainError('unauthorized', 'unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    const tenant = await authenticate(request.deps, key);
    if (!tenant) throw new DomainError('unauthorized', 'unauthorized', 'the API key is invalid or revoked');
    return tenant;
  }
  const session = await cookieSession(request);
  if (session) return { ...tenantContext(session.tenant), actor: session.apiKeyPrefix ? `session:${session.apiKeyPrefix}` : 'session' };
  const message = request.cookies[SESSION_COOKIE] ? 'the session has expired or was signed out; sign in again' : 'send an API key as "Authorization: Bearer <key>" or sign in (POST /v1/session)';
  throw new DomainError('unauthorized', 'unauthorized', message);
}

export async function requireTenant(request: FastifyRequest): Promise<void> {
  const tenant = await caller(request);
  if (!planIncludesPaymentCenter(tenant.plan)) {
    throw new DomainError('forbidden', 'plan_required', 'Payment Center is available on the Professional plan and above', {
      plan: tenant.plan,
      requiredPlans: ['professional', 'enterprise'],
    });
  }
  request.tenant = tenant;
}
