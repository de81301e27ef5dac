/**
 * The account's settings: the seller's company details (legal name, address, tax id) and how to pay
 * without a card — what the pay page and the invoice PDF show — plus the default currency, the
 * format of generated invoice numbers and the reminder e-mail templates. PUT replaces them all: a
 * field left out, null or blank goes back to its default (cleared; INV- and 6 digits; the built-in
 * reminder text), except the default currency, which a PUT without it keeps.
 */
import { CompanySettings, Tenant } from '../db';
import { assertCurrency } from '../domain/money';
import { assertInvoiceNumberFormat, DEFAULT_INVOICE_NUMBER_FORMAT, formatInvoiceNumber, invoiceNumberFormatOf } from '../domain/numbering';
import { REMINDER_TEMPLATE_VARIABLE_NAMES } from '../domain/reminder-message';
import { checkTemplate } from '../lib/templates';
import type { ServiceDeps, TenantContext } from './context';

export interface CompanySettingsInput {
  legalName?: string | null;
  address?: string | null;
  taxId?: string | null;
  paymentInstructions?: string | null;
  defaultCurrency?: string;
  invoiceNumberPrefix?: string | null;
  invoiceNumberPadding?: number | null;
  reminderSubjectTemplate?: string | null;
  reminderBodyTemplate?: string | null;
}

export interface CompanyDetails {
  legalName: string | null;
  address: string | null;
  taxId: string | null;
  paymentInstructions: string | null;
  defaultCurrency: string;
  invoiceNumberPrefix: string;
  invoiceNumberPadding: number;
  /** Null: the built-in reminder text. */
  reminderSubjectTemplate: string | null;
  reminderBodyTemplate: string | null;
  /** What the next generated number looks like (another invoice may take it first). */
  nextInvoiceNumber: string;
  updatedAt: Date | null;
}

/** Trimmed; blank is no value. */
const textOrNull = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);
/** Templates keep their own whitespace (line breaks are the body's paragraphs); blank is none. */
const templateOrNull = (v: string | null | undefined) => (v?.trim() ? v : null);

type EmOnly = Pick<ServiceDeps, 'em'>;

export async function getCompanySettings(deps: EmOnly, tenant: Pick<TenantContext, 'id'>): Promise<CompanyDetails> {
  const [row, t] = await Promise.all([
    deps.em.findOne(CompanySettings, { tenant: tenant.id }, { refresh: true }),
    // The whole row: a partly loaded tenant in the unit of work would hide its other fields from later reads.
    deps.em.findOneOrFail(Tenant, { id: tenant.id }, { refresh: true }),
  ]);
  const format = invoiceNumberFormatOf(row?.invoiceNumberPrefix, row?.invoiceNumberPadding);
  return {
    legalName: row?.legalName ?? null,
    address: row?.address ?? null,
    taxId: row?.taxId ?? null,
    paymentInstructions: row?.paymentInstructions ?? null,
    defaultCurrency: t.defaultCurrency,
    invoiceNumberPrefix: format.prefix,
    invoiceNumberPadding: format.padding,
    nextInvoiceNumber: formatInvoiceNumber(t.invoiceSequence + 1, format),
    reminderSubjectTemplate: row?.reminderSubjectTemplate ?? null,
    reminderBodyTemplate: row?.reminderBodyTemplate ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** Throws a 400 naming the field (and the variable) for a template that could not render. */
export function checkReminderTemplates(input: Pick<CompanySettingsInput, 'reminderSubjectTemplate' | 'reminderBodyTemplate'>): void {
  if (input.reminderSubjectTemplate) checkTemplate(input.reminderSubjectTemplate, REMINDER_TEMPLATE_VARIABLE_NAMES, 'reminderSubjectTemplate');
  if (input.reminderBodyTemplate) checkTemplate(input.reminderBodyTemplate, REMINDER_TEMPLATE_VARIABLE_NAMES, 'reminderBodyTemplate');
}

export async function putCompanySettings(deps: ServiceDeps, tenant: TenantContext, input: CompanySettingsInput): Promise<CompanyDetails> {
  // Everything is checked before anything is written: a bad field changes nothing.
  const format = assertInvoiceNumberFormat(invoiceNumberFormatOf(input.invoiceNumberPrefix, input.invoiceNumberPadding));
  const currency = input.defaultCurrency === undefined ? undefined : assertCurrency(input.defaultCurrency, 'defaultCurrency');
  const templates = { reminderSubjectTemplate: templateOrNull(input.reminderSubjectTemplate), reminderBodyTemplate: templateOrNull(input.reminderBodyTemplate) };
  checkReminderTemplates(templates);
  const isDefault = format.prefix === DEFAULT_INVOICE_NUMBER_FORMAT.prefix && format.padding === DEFAULT_INVOICE_NUMBER_FORMAT.padding;
  const values = {
    legalName: textOrNull(input.legalName),
    address: textOrNull(input.address),
    taxId: textOrNull(input.taxId),
    paymentInstructions: textOrNull(input.paymentInstructions),
    invoiceNumberPrefix: isDefault ? null : format.prefix,
    invoiceNumberPadding: isDefault ? null : format.padding,
    ...templates,
    updatedAt: new Date(),
  };
  await deps.em.transactional(async (tx) => {
    await tx.createQueryBuilder(CompanySettings).insert({ tenant: tenant.id, ...values }).onConflict('tenant').merge(values).execute();
    if (currency) await tx.nativeUpdate(Tenant, { id: tenant.id }, { defaultCurrency: currency, updatedAt: new Date() });
  });
  return getCompanySettings(deps, tenant);
}
