/** What the customer's pay page needs: each invoice's link (by token hash) and the seller's company details. */
import { EntitySchema } from '@mikro-orm/core';
import { updatedAt } from './columns';
import { partOfInvoice, type Invoice } from './invoice';
import { ownedByTenant, type Tenant } from './tenant';

export class InvoicePayLink {
  invoice!: Invoice;
  tenant!: Tenant;
  /** Which link is live: the token is HMAC(PAY_LINK_SECRET, `<invoice id>:<rotation>`); rotating bumps it. */
  rotation!: number;
  /** SHA-256 of the live token, for lookup; the token itself is never stored. */
  tokenHash!: string;
  updatedAt!: Date;
}
export const InvoicePayLinkSchema = new EntitySchema<InvoicePayLink>({
  class: InvoicePayLink,
  tableName: 'invoice_pay_links',
  properties: {
    invoice: { ...partOfInvoice(), primary: true },
    tenant: ownedByTenant(),
    rotation: { type: 'integer', default: 0 },
    tokenHash: { type: 'string', length: 64, unique: true },
    updatedAt: updatedAt(),
  },
});

export class CompanySettings {
  tenant!: Tenant;
  legalName?: string | null;
  address?: string | null;
  taxId?: string | null;
  /** How to pay without a card (bank details, …), shown on the pay page. */
  paymentInstructions?: string | null;
  /** Generated invoice numbers: null is the default (INV- and 6 digits). */
  invoiceNumberPrefix?: string | null;
  invoiceNumberPadding?: number | null;
  /** Handlebars templates of reminder e-mails (lib/templates.ts); null is the built-in text. */
  reminderSubjectTemplate?: string | null;
  reminderBodyTemplate?: string | null;
  updatedAt!: Date;
}
export const CompanySettingsSchema = new EntitySchema<CompanySettings>({
  class: CompanySettings,
  tableName: 'company_settings',
  properties: {
    tenant: ownedByTenant({ primary: true }),
    legalName: { type: 'string', length: 200, nullable: true },
    address: { type: 'text', nullable: true },
    taxId: { type: 'string', length: 64, nullable: true },
    paymentInstructions: { type: 'text', nullable: true },
    invoiceNumberPrefix: { type: 'string', length: 32, nullable: true },
    invoiceNumberPadding: { type: 'smallint', nullable: true },
    reminderSubjectTemplate: { type: 'text', nullable: true },
    reminderBodyTemplate: { type: 'text', nullable: true },
    updatedAt: updatedAt(),
  },
});

export const payPageEntities = [InvoicePayLinkSchema, CompanySettingsSchema];
