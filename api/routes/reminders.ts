import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getReminderPolicy, listReminders, updateReminderPolicy } from '../../services/reminders';
import { Page } from '../schemas/common';
import { ReminderListQuery, ReminderPolicyBody, ReminderPolicyResponse, ReminderResponse } from '../schemas/reminders';
import { pageJson } from '../serializers/common';
import { reminderJson } from '../serializers/reminders';

const tags = ['reminders'];

export const reminderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/settings/reminders', { schema: { tags, response: { 200: ReminderPolicyResponse } } }, async (req) => getReminderPolicy(req.deps, req.tenant));
  app.put('/settings/reminders', { schema: { tags, body: ReminderPolicyBody, response: { 200: ReminderPolicyResponse } } }, async (req) =>
    updateReminderPolicy(req.deps, req.tenant, req.body),
  );
  app.get('/reminders', { schema: { tags, querystring: ReminderListQuery, response: { 200: Page(ReminderResponse) } } }, async (req) =>
    pageJson(await listReminders(req.deps, req.tenant, req.query), reminderJson),
  );
};
