/**
 * Migrations are listed explicitly (no file globbing) so the same list works under tsx, jest
 * and the compiled dist/. Generate one with `npm run migration:create -- <name>`, then add it here.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125112343_core } from './Migration20261125112343_core';
import { Migration20261125120000_reminders } from './Migration20261125120000_reminders';
import { Migration20261125120100_stripe } from './Migration20261125120100_stripe';
import { Migration20261201190000_tenant_default_currency } from './Migration20261201190000_tenant_default_currency';
import { Migration20261202090000_sessions } from './Migration20261202090000_sessions';
import { Migration20261202100000_pay_page } from './Migration20261202100000_pay_page';
import { Migration20261202110000_invoice_list_indexes } from './Migration20261202110000_invoice_list_indexes';
import { Migration20261201200000_invoice_attention } from './Migration20261201200000_invoice_attention';
import { Migration20261203000000_money_corrections } from './Migration20261203000000_money_corrections';
import { Migration20261203100000_webhooks } from './Migration20261203100000_webhooks';
import { Migration20261203200000_document_settings } from './Migration20261203200000_document_settings';
import { Migration20261203300000_read_model_scale } from './Migration20261203300000_read_model_scale';
import { Migration20261203310000_plan_invoice_status } from './Migration20261203310000_plan_invoice_status';
import { Migration20261203320000_persist_fence } from './Migration20261203320000_persist_fence';
import { Migration20261203330000_plan_contact } from './Migration20261203330000_plan_contact';

export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125112343_core', class: Migration20261125112343_core },
  { name: 'Migration20261125120000_reminders', class: Migration20261125120000_reminders },
  { name: 'Migration20261125120100_stripe', class: Migration20261125120100_stripe },
  { name: 'Migration20261201190000_tenant_default_currency', class: Migration20261201190000_tenant_default_currency },
  { name: 'Migration20261202090000_sessions', class: Migration20261202090000_sessions },
  { name: 'Migration20261202100000_pay_page', class: Migration20261202100000_pay_page },
  { name: 'Migration20261202110000_invoice_list_indexes', class: Migration20261202110000_invoice_list_indexes },
  { name: 'Migration20261201200000_invoice_attention', class: Migration20261201200000_invoice_attention },
  { name: 'Migration20261203000000_money_corrections', class: Migration20261203000000_money_corrections },
  { name: 'Migration20261203100000_webhooks', class: Migration20261203100000_webhooks },
  { name: 'Migration20261203200000_document_settings', class: Migration20261203200000_document_settings },
  { name: 'Migration20261203300000_read_model_scale', class: Migration20261203300000_read_model_scale },
  { name: 'Migration20261203310000_plan_invoice_status', class: Migration20261203310000_plan_invoice_status },
  { name: 'Migration20261203320000_persist_fence', class: Migration20261203320000_persist_fence },
  { name: 'Migration20261203330000_plan_contact', class: Migration20261203330000_plan_contact },
];
