/** Account settings: company details, invoice numbers, default currency and reminder e-mail templates. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getCompanySettings, putCompanySettings } from '../../services/company-settings';
import { previewReminder } from '../../services/reminder-emails';
import { CompanySettingsBody, CompanySettingsResponse, ReminderPreviewBody, ReminderPreviewResponse, TEMPLATE_HELP } from '../schemas/settings';
import { companySettingsJson } from '../serializers/settings';

const tags = ['settings'];
const TEMPLATE_ERRORS = ['invalid_template', 'unknown_template_variable'];

export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/settings/company',
    {
      schema: {
        tags,
        summary: 'Get the account settings',
        description:
          "Legal name, address, tax id and payment instructions (the pay page and the invoice PDF show them; null until saved), the default currency, the invoice number format and the reminder e-mail templates (null: the built-in text).",
        response: { 200: CompanySettingsResponse },
      },
    },
    async (req) => companySettingsJson(await getCompanySettings(req.deps, req.tenant)),
  );
  app.put(
    '/settings/company',
    {
      schema: {
        tags,
        summary: 'Save the account settings',
        description:
          'Replaces the saved settings; text is trimmed and a blank field is cleared, a left-out number format or template goes back to its default, a left-out defaultCurrency is kept. ' +
          `Generated invoice numbers take the new format from the next invoice on. Templates: ${TEMPLATE_HELP}`,
        body: CompanySettingsBody,
        response: { 200: CompanySettingsResponse },
        errors: { 400: ['invalid_currency', 'invalid_invoice_number_prefix', 'invalid_invoice_number_padding', 'invalid_invoice_number', ...TEMPLATE_ERRORS] },
      },
    },
    async (req) => companySettingsJson(await putCompanySettings(req.deps, req.tenant, req.body)),
  );
  app.post(
    '/settings/reminders/preview',
    {
      schema: {
        tags,
        summary: 'Preview a reminder e-mail',
        description:
          'Renders reminder templates (the ones in the body, else the saved ones, else the built-in text) as the e-mail would go out today: ' +
          'for `invoiceId` a dunning reminder when it is overdue, else one for its next unpaid instalment; without it a sample invoice. Saves nothing.',
        body: ReminderPreviewBody,
        response: { 200: ReminderPreviewResponse },
        errors: { 400: TEMPLATE_ERRORS, 404: ['not_found'] },
      },
    },
    async (req) => previewReminder(req.deps, req.tenant, req.body ?? {}),
  );
};
