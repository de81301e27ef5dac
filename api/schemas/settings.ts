import { Type } from '@sinclair/typebox';
import { INVOICE_PREFIX_PATTERN, MAX_INVOICE_PADDING, MIN_INVOICE_PADDING } from '../../domain/numbering';
import { REMINDER_TEMPLATE_VARIABLES } from '../../domain/reminder-message';
import { Currency, DateTime, Nullable, Text, Uuid } from './common';

const Field = (maxLength: number, description: string, example: string) => Type.Optional(Nullable(Text({ maxLength, description, examples: [example] })));

const VARIABLES = Object.entries(REMINDER_TEMPLATE_VARIABLES)
  .map(([name, what]) => `\`{{${name}}}\` ${what}`)
  .join('; ');
export const TEMPLATE_HELP =
  `Handlebars: ${VARIABLES}. Also \`{{#if variable}}…{{else}}…{{/if}}\`, \`{{#unless variable}}…{{/unless}}\` and \`{{! comments }}\`; ` +
  'values are HTML-escaped in the HTML form. An unknown variable or a syntax error is a 400 naming it.';

const SUBJECT_MAX = 500;
const BODY_MAX = 10_000;
const SubjectTemplate = (description: string) => Text({ maxLength: SUBJECT_MAX, description, examples: ['Invoice {{invoice.number}}: {{amount_due}} due {{due_date}}'] });
const BodyTemplate = (description: string) =>
  Text({ maxLength: BODY_MAX, description, examples: ['Hello {{contact.name}},\n\n{{amount_due}} on invoice {{invoice.number}} is due on {{due_date}}.\nPay here: {{pay_url}}\n\n{{company.name}}'] });

export const CompanySettingsBody = Type.Object(
  {
    legalName: Field(200, 'registered company name, shown to customers beside the account name', 'Acme Consulting GmbH'),
    address: Field(1000, 'postal address, lines separated by newlines', 'Hauptstraße 1\n10115 Berlin\nGermany'),
    taxId: Field(64, 'VAT or tax number', 'DE123456789'),
    paymentInstructions: Field(2000, 'how to pay without a card (bank transfer details, …), shown on the pay page and the invoice PDF', 'Bank transfer to IBAN DE89 3704 0044 0532 0130 00, reference: the invoice number'),
    defaultCurrency: Type.Optional({ ...Currency, description: 'what payments without an invoice and without a currency are in; left out: unchanged' }),
    invoiceNumberPrefix: Type.Optional(
      Nullable(Type.String({ pattern: INVOICE_PREFIX_PATTERN, maxLength: 32, description: 'generated invoice numbers start with it; "" for digits only; null or left out: INV-', examples: ['ACME-2026-'] })),
    ),
    invoiceNumberPadding: Type.Optional(
      Nullable(Type.Integer({ minimum: MIN_INVOICE_PADDING, maximum: MAX_INVOICE_PADDING, description: 'digits the sequence is zero-padded to; null or left out: 6', examples: [4] })),
    ),
    reminderSubjectTemplate: Type.Optional(Nullable(SubjectTemplate(`subject of reminder e-mails; null, blank or left out: the built-in subject. ${TEMPLATE_HELP}`))),
    reminderBodyTemplate: Type.Optional(Nullable(BodyTemplate('body of reminder e-mails (plain text; blank lines are paragraphs); null, blank or left out: the built-in text. Same variables as the subject.'))),
  },
  { additionalProperties: false, description: 'replaces the saved settings: a field left out, null or blank goes back to its default (defaultCurrency left out is kept)' },
);
export const CompanySettingsResponse = Type.Object({
  legalName: Nullable(Type.String()),
  address: Nullable(Type.String()),
  taxId: Nullable(Type.String()),
  paymentInstructions: Nullable(Type.String()),
  defaultCurrency: Currency,
  invoiceNumberPrefix: Type.String(),
  invoiceNumberPadding: Type.Integer(),
  nextInvoiceNumber: Type.String({ description: 'what the next generated number looks like (the sequence may move on before it is used)' }),
  reminderSubjectTemplate: Nullable(Type.String({ description: 'null: the built-in subject' })),
  reminderBodyTemplate: Nullable(Type.String({ description: 'null: the built-in text' })),
  updatedAt: Nullable(DateTime),
});

export const ReminderPreviewBody = Type.Union(
  [
    Type.Object(
      {
        subjectTemplate: Type.Optional(Nullable(SubjectTemplate('the subject to try; left out: the saved one (null: the built-in subject)'))),
        bodyTemplate: Type.Optional(Nullable(BodyTemplate('the body to try; left out: the saved one (null: the built-in text)'))),
        invoiceId: Type.Optional({ ...Uuid, description: "render against this invoice (its amount due, its contact); left out: a sample invoice" }),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'optional: without a body the saved templates render against a sample invoice' },
);
export const ReminderPreviewResponse = Type.Object({
  subject: Type.String(),
  text: Type.String({ description: 'the plain-text body' }),
  html: Type.String({ description: 'the HTML body (every value escaped)' }),
  sample: Type.Boolean({ description: 'rendered against a sample invoice rather than one of yours' }),
});
