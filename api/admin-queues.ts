/**
 * Bull Board at /admin/queues for operators: waiting, delayed, failed reminder jobs (retry them
 * from there). Outside the /v1 tenant auth; guarded by ADMIN_TOKEN as a bearer token or as the
 * basic-auth password. Not mounted at all when ADMIN_TOKEN is unset.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Redis } from 'ioredis';
import { createReminderQueue, type QueueNaming } from '../lib/queues';
import { errorBody } from './errors';

export const ADMIN_QUEUES_PATH = '/admin/queues';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The token a request presents: `Authorization: Bearer <token>` or basic auth with the token as password. */
export function presentedToken(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

export function adminAuth(token: string) {
  const expected = digest(token);
  return async function adminAuthHook(request: FastifyRequest, reply: FastifyReply) {
    const given = presentedToken(request.headers.authorization);
    if (given !== null && timingSafeEqual(digest(given), expected)) return;
    return reply
      .status(401)
      .header('www-authenticate', 'Basic realm="Payment Center operators", charset="UTF-8"')
      .send(errorBody('unauthorized', 'operator pages need the admin token (Authorization: Bearer <token>, or as basic-auth password)'));
  };
}

export async function registerAdminQueues(app: FastifyInstance, opts: { redis: Redis; adminToken?: string; queue?: QueueNaming }): Promise<boolean> {
  if (!opts.adminToken) return false;
  const queue = createReminderQueue(opts.redis, opts.queue);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  // @bull-board/fastify 9.10.1 pins its own @bull-board/api 9.10.1 (we have 9.10.2): same shape, distinct private types.
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
  await app.register(async (scope) => {
    scope.addHook('onRequest', adminAuth(opts.adminToken!));
    await scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
  app.addHook('onClose', async () => {
    await queue.close();
  });
  return true;
}
