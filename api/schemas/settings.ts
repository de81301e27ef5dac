import { Type } from '@sinclair/typebox';
import { DateTime, Nullable, Text } from './common';

const Field = (maxLength: number, description: string, example: string) => Type.Optional(Nullable(Text({ maxLength, description, examples: [example] })));

export const CompanySettingsBody = Type.Object(
  {
    legalName: Field(200, 'registered company name, shown to customers beside the account name', 'Acme Consulting GmbH'),
    address: Field(1000, 'postal address, lines separated by newlines', 'Hauptstraße 1\n10115 Berlin\nGermany'),
    taxId: Field(64, 'VAT or tax number', 'DE123456789'),
    paymentInstructions: Field(2000, 'how to pay without a card (bank transfer details, …), shown on the pay page', 'Bank transfer to IBAN DE89 3704 0044 0532 0130 00, reference: the invoice number'),
  },
  { additionalProperties: false, description: 'replaces the saved details: a field left out, null or blank is cleared' },
);
export const CompanySettingsResponse = Type.Object({
  legalName: Nullable(Type.String()),
  address: Nullable(Type.String()),
  taxId: Nullable(Type.String()),
  paymentInstructions: Nullable(Type.String()),
  updatedAt: Nullable(DateTime),
});
