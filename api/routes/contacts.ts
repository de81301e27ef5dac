import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as S from '../schemas';
import { contactJson, dealJson } from '../serializers';
import { createContact, createDeal, getContact, listContacts, listDeals } from '../../services/contacts';
import type { ServiceDeps } from '../../services/context';

export const contactRoutes: FastifyPluginAsyncTypebox<{ deps: ServiceDeps }> = async (app, { deps }) => {
  app.post('/contacts', { schema: { tags: ['contacts'], headers: S.IdempotencyHeaders, body: S.ContactBody, response: { 201: S.ContactResponse } } }, async (req, reply) =>
    reply.status(201).send(contactJson(await createContact(deps, req.tenant, req.body))),
  );
  app.get('/contacts', { schema: { tags: ['contacts'], querystring: Type.Object(S.ListQueryBase, { additionalProperties: false }), response: { 200: S.Page(S.ContactResponse) } } }, async (req) => {
    const page = await listContacts(deps, req.tenant, req.query);
    return { data: page.rows.map(contactJson), nextCursor: page.nextCursor };
  });
  app.get('/contacts/:id', { schema: { tags: ['contacts'], params: S.IdParams, response: { 200: S.ContactResponse } } }, async (req) =>
    contactJson(await getContact(deps, req.tenant, req.params.id)),
  );
  app.post('/deals', { schema: { tags: ['deals'], headers: S.IdempotencyHeaders, body: S.DealBody, response: { 201: S.DealResponse } } }, async (req, reply) =>
    reply.status(201).send(dealJson(await createDeal(deps, req.tenant, req.body))),
  );
  app.get(
    '/deals',
    { schema: { tags: ['deals'], querystring: Type.Object({ ...S.ListQueryBase, contactId: Type.Optional(S.Uuid) }, { additionalProperties: false }), response: { 200: S.Page(S.DealResponse) } } },
    async (req) => {
      const page = await listDeals(deps, req.tenant, req.query);
      return { data: page.rows.map(dealJson), nextCursor: page.nextCursor };
    },
  );
};
