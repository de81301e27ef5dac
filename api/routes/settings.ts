/** Account settings: the company details the customer's pay page shows. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getCompanySettings, putCompanySettings } from '../../services/company-settings';
import { CompanySettingsBody, CompanySettingsResponse } from '../schemas/settings';
import { companySettingsJson } from '../serializers/settings';

const tags = ['settings'];

export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/settings/company',
    {
      schema: {
        tags,
        summary: 'Get the company details',
        description: "Legal name, address, tax id and payment instructions the customer's pay page shows (all null until saved).",
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
        summary: 'Save the company details',
        description: 'Replaces the saved details; text is trimmed and a blank field is cleared.',
        body: CompanySettingsBody,
        response: { 200: CompanySettingsResponse },
      },
    },
    async (req) => companySettingsJson(await putCompanySettings(req.deps, req.tenant, req.body)),
  );
};
