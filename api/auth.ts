/**
 * Bearer API keys → tenant, and plan gating: Payment Center routes need Professional or above.
 */
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors';
import { planIncludesPaymentCenter } from '../domain/tenant';
import { authenticate } from '../services/tenants';
import type { TenantContext } from '../services/context';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: TenantContext;
  }
}

export async function requireTenant(request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new DomainError('unauthorized', 'unauthorized', 'send an API key as "Authorization: Bearer <key>"');
  const tenant = await authenticate(request.deps, match[1]);
  if (!tenant) throw new DomainError('unauthorized', 'unauthorized', 'the API key is invalid or revoked');
  if (!planIncludesPaymentCenter(tenant.plan)) {
    throw new DomainError('forbidden', 'plan_required', 'Payment Center is available on the Professional plan and above', {
      plan: tenant.plan,
      requiredPlans: ['professional', 'enterprise'],
    });
  }
  request.tenant = tenant;
}
