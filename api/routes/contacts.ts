import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createContact, getContact, listContacts } from '../../services/contacts';
import { IdempotencyHeaders, IdParams, Page } from '../schemas/common';
import { ContactBody, ContactListQuery, ContactResponse } from '../schemas/contacts';
import { pageJson } from '../serializers/common';
import { contactJson } from '../serializers/contacts';

const tags = ['contacts'];

export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/contacts', { schema: { tags, headers: IdempotencyHeaders, body: ContactBody, response: { 201: ContactResponse } } }, async (req, reply) =>
    reply.status(201).send(contactJson(await createContact(req.deps, req.tenant, req.body))),
  );
  app.get('/contacts', { schema: { tags, querystring: ContactListQuery, response: { 200: Page(ContactResponse) } } }, async (req) =>
    pageJson(await listContacts(req.deps, req.tenant, req.query), contactJson),
  );
  app.get('/contacts/:id', { schema: { tags, params: IdParams, response: { 200: ContactResponse } } }, async (req) => contactJson(await getContact(req.deps, req.tenant, req.params.id)));
};
