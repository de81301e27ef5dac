import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getReminderPolicy, listReminders, updateReminderPolicy } from '../../services/reminders';
import { Page } from '../schemas/common';
import { ReminderListQuery, ReminderPolicyBody, ReminderPolicyResponse, ReminderResponse } from '../schemas/reminders';
import { pageJson } from '../serializers/common';
import { reminderJson } from '../serializers/reminders';

const tags = ['reminders'];

export const reminderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/settings/reminders',
    { schema: { tags, summary: 'Get the reminder policy', description: "The account's reminder schedule (the default one until it is changed).", response: { 200: ReminderPolicyResponse } } },
    async (req) => getReminderPolicy(req.deps, req.tenant),
  );
  app.put(
    '/settings/reminders',
    {
      schema: {
        tags,
        summary: 'Set the reminder policy',
        description: 'When reminders go out: days around each planned payment, days after the due date while overdue, and the local send time. Applies to reminders not yet planned.',
        body: ReminderPolicyBody,
        response: { 200: ReminderPolicyResponse },
        errors: { 400: ['invalid_reminder_policy', 'too_many_offsets', 'invalid_offset', 'duplicate_offset', 'invalid_send_time'] },
      },
    },
    async (req) =>
    updateReminderPolicy(req.deps, req.tenant, req.body),
  );
  app.get(
    '/reminders',
    {
      schema: {
        tags,
        summary: 'List reminders',
        description: 'Planned and sent reminders by scheduled time (oldest first), one page at a time.',
        querystring: ReminderListQuery,
        response: { 200: Page(ReminderResponse) },
        errors: { 400: ['invalid_cursor', 'invalid_date', 'invalid_date_range'] },
      },
    },
    async (req) =>
    pageJson(await listReminders(req.deps, req.tenant, req.query), reminderJson),
  );
};
