/**
 * Reminder e-mails as sent: the built-in text (domain/reminder-message.ts) or the tenant's own
 * templates (lib/templates.ts), each as plain text and HTML. Used by the reminder worker and by the
 * preview (`POST /v1/settings/reminders/preview`), so what a preview shows is what goes out.
 */
import { CompanySettings, Tenant } from '../db';
import { addDays, dateIn, MS_PER_DAY } from '../domain/dates';
import { uncoveredInstallments } from '../domain/plan';
import { formatInvoiceNumber } from '../domain/numbering';
import {
  REMINDER_TEMPLATE_VARIABLE_NAMES,
  reminderTemplateValues,
  renderReminder,
  type ReminderContext,
  type ReminderMessage,
  type ReminderSender,
  type ReminderView,
} from '../domain/reminder-message';
import { payPageUrl } from '../lib/pay-links';
import { renderTemplate, textToHtml } from '../lib/templates';
import { checkReminderTemplates, getCompanySettings, type CompanyDetails } from './company-settings';
import type { ServiceDeps, TenantContext } from './context';
import { invoicePdfFilename, loadInvoiceDocument, renderInvoicePdf, type InvoiceDocument } from './invoice-documents';
import { customerUrls } from './pay-links';
import { owedOn, settledAmount } from '../domain/invoice';

export interface ReminderTemplates {
  subject: string | null;
  body: string | null;
}

export const hasTemplates = (t: ReminderTemplates | null | undefined): t is ReminderTemplates => Boolean(t && (t.subject || t.body));
export const templatesOf = (c: Pick<CompanyDetails, 'reminderSubjectTemplate' | 'reminderBodyTemplate'>): ReminderTemplates => ({ subject: c.reminderSubjectTemplate, body: c.reminderBodyTemplate });

/** What the templates know of an invoice document beyond the reminder. */
export const reminderContextOf = (d: InvoiceDocument): ReminderContext => ({
  issueDate: d.invoice.issueDate,
  total: d.invoice.total,
  paid: d.invoice.paid,
  due: d.invoice.due,
  companyName: d.company.legalName ?? d.invoice.tenant.name,
  companyAddress: d.company.address,
  companyTaxId: d.company.taxId,
  paymentInstructions: d.company.paymentInstructions,
});

/**
 * The message for every channel, with its HTML form. Each template the tenant set replaces the
 * built-in subject or body; `context` is needed only when a template is set.
 */
export function composeReminder(r: ReminderView, amount: number, payUrl: string, sender: ReminderSender, templates?: ReminderTemplates | null, context?: ReminderContext): ReminderMessage {
  const builtIn = renderReminder(r, amount, payUrl, sender);
  if (!hasTemplates(templates) || !context) return { ...builtIn, html: textToHtml(builtIn.body, payUrl) };
  const values = reminderTemplateValues(r, amount, payUrl, context);
  // A subject is one line whatever the values hold (an address has line breaks).
  const subject = templates.subject ? renderTemplate(templates.subject, REMINDER_TEMPLATE_VARIABLE_NAMES, values, { field: 'reminderSubjectTemplate' }).text.replace(/\s+/g, ' ').trim() : builtIn.subject;
  const body = templates.body ? renderTemplate(templates.body, REMINDER_TEMPLATE_VARIABLE_NAMES, values, { field: 'reminderBodyTemplate', link: payUrl }) : { text: builtIn.body, html: textToHtml(builtIn.body, payUrl) };
  return { ...renderReminder(r, amount, payUrl, sender, { subject: subject || builtIn.subject, body: body.text }), html: body.html };
}

export interface ReminderPreviewInput {
  subjectTemplate?: string | null;
  bodyTemplate?: string | null;
  invoiceId?: string;
}

const templateOrNull = (v: string | null | undefined) => (v?.trim() ? v : null);

/**
 * Renders the given templates (or the saved ones) as a reminder of `invoiceId` would go out today:
 * dunning when it is overdue, else the next unpaid instalment. Without an invoice, a sample one.
 */
export async function previewReminder(deps: ServiceDeps, tenant: TenantContext, input: ReminderPreviewInput): Promise<{ subject: string; text: string; html: string; sample: boolean }> {
  const company = await getCompanySettings(deps, tenant);
  const templates: ReminderTemplates = {
    subject: input.subjectTemplate !== undefined ? templateOrNull(input.subjectTemplate) : company.reminderSubjectTemplate,
    body: input.bodyTemplate !== undefined ? templateOrNull(input.bodyTemplate) : company.reminderBodyTemplate,
  };
  checkReminderTemplates({ reminderSubjectTemplate: templates.subject, reminderBodyTemplate: templates.body });
  const today = dateIn(Date.now(), tenant.timeZone);
  let view: ReminderView;
  let amount: number;
  let payUrl: string;
  let context: ReminderContext;
  if (input.invoiceId) {
    const doc = await loadInvoiceDocument(deps, tenant.id, input.invoiceId);
    const inv = doc.invoice;
    payUrl = (await customerUrls(deps, tenant, [inv.id])).get(inv.id)!;
    context = reminderContextOf(doc);
    const uncovered = uncoveredInstallments(doc.plan, settledAmount(inv));
    const next = doc.plan.findIndex((_, n) => uncovered[n] > 0);
    const overdue = inv.status === 'overdue' || next < 0;
    const since = (date: string) => Math.round((Date.parse(today) - Date.parse(date)) / MS_PER_DAY);
    const base = { id: 'preview', tenantId: tenant.id, invoiceId: inv.id, date: today, status: 'scheduled' as const, invoiceNumber: inv.number, invoiceStatus: inv.status, currency: inv.currency, dueDate: inv.dueDate, contactName: inv.contact.name, contactEmail: inv.contact.email ?? null };
    if (overdue) {
      view = { ...base, key: 'preview', kind: 'dunning', offset: Math.max(1, since(inv.dueDate)) };
      amount = owedOn(inv);
    } else {
      view = { ...base, key: 'preview', kind: 'installment', offset: since(doc.plan[next].date) };
      amount = uncovered[next];
    }
  } else {
    const total = 150_000;
    const paid = 50_000;
    const dueDate = addDays(today, 3);
    const number = formatInvoiceNumber(123, { prefix: company.invoiceNumberPrefix, padding: company.invoiceNumberPadding });
    view = { id: 'preview', tenantId: tenant.id, invoiceId: 'preview', key: 'preview', kind: 'installment', offset: -3, date: today, status: 'scheduled', invoiceNumber: number, invoiceStatus: 'open', currency: company.defaultCurrency, dueDate, contactName: 'Ada Lovelace', contactEmail: 'ada@example.com' };
    amount = total - paid;
    payUrl = payPageUrl(deps.config, 'sample-link');
    const { name } = await deps.em.findOneOrFail(Tenant, { id: tenant.id });
    context = { issueDate: addDays(today, -27), total, paid, due: total - paid, companyName: company.legalName ?? name, companyAddress: company.address, companyTaxId: company.taxId, paymentInstructions: company.paymentInstructions };
  }
  // The preview shows no headers: the sender does not matter.
  const message = composeReminder(view, amount, payUrl, { from: '' }, templates, context);
  return { subject: message.subject, text: message.body, html: message.html!, sample: !input.invoiceId };
}

/**
 * The reminder as the worker sends it: the tenant's templates when set, and the invoice PDF attached
 * when a channel sends attachments (`attach`). Reads the templates (one row) always, the invoice
 * document only when a template or the PDF needs it.
 */
export async function reminderEmail(deps: Pick<ServiceDeps, 'em'>, r: ReminderView, amount: number, payUrl: string, sender: ReminderSender, opts: { attach: boolean }): Promise<ReminderMessage> {
  const row = await deps.em.findOne(CompanySettings, { tenant: r.tenantId }, { refresh: true });
  const templates: ReminderTemplates = { subject: row?.reminderSubjectTemplate ?? null, body: row?.reminderBodyTemplate ?? null };
  if (!opts.attach && !hasTemplates(templates)) return composeReminder(r, amount, payUrl, sender);
  const doc = await loadInvoiceDocument(deps, r.tenantId, r.invoiceId, payUrl);
  const message = composeReminder(r, amount, payUrl, sender, templates, reminderContextOf(doc));
  if (opts.attach) message.attachments = [{ filename: invoicePdfFilename(doc.invoice.number), contentType: 'application/pdf', content: await renderInvoicePdf(doc) }];
  return message;
}
