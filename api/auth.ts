/**
 * Bearer API keys → tenant, and plan gating: Payment Center routes need Professional or above.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DomainError } from '../domain/errors';
import { planIncludesPaymentCenter } from '../domain/tenant';
import { authenticate } from '../services/tenants';
import type { TenantContext } from '../services/context';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: TenantContext;
  }
}

export function requireTenant(orm: MikroORM) {
  return async function authHook(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new DomainError('unauthorized', 'unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    const tenant = await authenticate(orm, match[1]);
    if (!tenant) throw new DomainError('unauthorized', 'unauthorized', 'the API key is invalid or revoked');
    if (!planIncludesPaymentCenter(tenant.plan)) {
      throw new DomainError('forbidden', 'plan_required', 'Payment Center is available on the Professional plan and above', {
        plan: tenant.plan,
        requiredPlans: ['professional', 'enterprise'],
      });
    }
    request.tenant = tenant;
  };
}
