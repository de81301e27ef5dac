/**
 * The web app's sign-in: POST opens a session and sets the `pc_session` cookie, GET tells who is
 * signed in, DELETE signs out. Outside the API-key scope: these work for every plan.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors';
import { endSession, signIn } from '../../services/sessions';
import { cookieSession, SESSION_COOKIE, sessionCookieOptions } from '../auth';
import { SessionResponse, SignInBody } from '../schemas/sessions';
import { sessionJson } from '../serializers/sessions';

const tags = ['session'];
const bySession = [{ session: [] }];

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/session',
    {
      schema: {
        tags,
        summary: 'Sign in to the web app',
        description:
          'Opens a browser session with an API key or a one-time sign-in link and sets the `pc_session` cookie (httpOnly, SameSite=Lax, 8 hours). ' +
          'Every plan can sign in; /v1 data routes still need the Professional plan. Requests signed in by cookie that change something must send `X-Requested-With: payment-center`.',
        security: [],
        body: SignInBody,
        response: { 201: SessionResponse },
        errors: { 401: ['unauthorized'] },
      },
    },
    async (req, reply) => {
      const opened = await signIn(req.deps, req.body);
      reply.setCookie(SESSION_COOKIE, opened.token, sessionCookieOptions(req.deps.config.PUBLIC_BASE_URL));
      return reply.status(201).send(sessionJson(opened.session));
    },
  );
  app.get(
    '/session',
    { schema: { tags, summary: 'Get the signed-in session', description: 'The account of the session cookie, whatever its plan.', security: bySession, response: { 200: SessionResponse } } },
    async (req) => {
      const session = await cookieSession(req);
      if (!session) throw new DomainError('unauthorized', 'unauthorized', 'not signed in, or the session has expired or was signed out');
      return sessionJson(session);
    },
  );
  app.delete(
    '/session',
    {
      schema: {
        tags,
        summary: 'Sign out',
        description: 'Ends the session server-side and clears the cookie; signing out without a session also answers 204.',
        // Works without a session too: nothing to authenticate.
        security: [],
        response: { 204: Type.Null({ description: 'Signed out.' }) },
        errors: { 403: ['csrf_required'] },
      },
    },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        await cookieSession(req); // refuses a cross-site sign-out (no CSRF header)
        await endSession(req.deps, token);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );
};
