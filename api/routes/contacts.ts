import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createContact, getContact, listContacts } from '../../services/contacts';
import { IdempotencyHeaders, IdParams, Page } from '../schemas/common';
import { ContactBody, ContactListQuery, ContactResponse } from '../schemas/contacts';
import { pageJson } from '../serializers/common';
import { contactJson } from '../serializers/contacts';

const tags = ['contacts'];

export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'Create a contact',
        description: 'A customer that invoices, deals and payments belong to. Send an Idempotency-Key to make retries safe.',
        headers: IdempotencyHeaders,
        body: ContactBody,
        response: { 201: ContactResponse },
        errors: { 400: ['invalid_name'] },
      },
    }, async (req, reply) =>
    reply.status(201).send(contactJson(await createContact(req.deps, req.tenant, req.body))),
  );
  app.get(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'List contacts',
        description: 'Newest first, one page at a time (pass nextCursor as cursor); q searches name, email and company.',
        querystring: ContactListQuery,
        response: { 200: Page(ContactResponse) },
        errors: { 400: ['invalid_cursor'] },
      },
    },
    async (req) =>
    pageJson(await listContacts(req.deps, req.tenant, req.query), contactJson),
  );
  app.get('/contacts/:id', { schema: { tags, summary: 'Get a contact', description: 'One contact of this account.', params: IdParams, response: { 200: ContactResponse } } }, async (req) =>
    contactJson(await getContact(req.deps, req.tenant, req.params.id)),
  );
};
