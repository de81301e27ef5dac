/**
 * Each request is one unit of work: it gets its own service scope (`req.deps`) with one
 * EntityManager fork, shared by the auth hook, the idempotency hooks and the route's services.
 */
import type { FastifyInstance } from 'fastify';
import { scopeOf, type ProcessDeps, type ServiceDeps } from '../services/context';

/** Largest request body accepted (JSON or a webhook's raw bytes). */
export const MAX_BODY_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    deps: ServiceDeps;
  }
}

export function registerRequestScope(app: FastifyInstance, deps: ProcessDeps): void {
  app.decorateRequest('deps', null as unknown as ServiceDeps);
  app.addHook('onRequest', async (request) => {
    request.deps = scopeOf(deps);
  });
}
