/** Bodies and answers of the money corrections: credit, write-offs, credit notes. */
import { Type } from '@sinclair/typebox';
import { Amount, Currency, DateTime, MoneyValue, NonBlank, Nullable, Uuid } from './common';

const Reason = (description: string, example: string) => NonBlank({ maxLength: 500, description, examples: [example] });

export const ApplyCreditBody = Type.Object(
  { amount: { ...Amount, description: "minor units of the contact's credit in the invoice's currency; at most the invoice's due" } },
  { additionalProperties: false, examples: [{ amount: 2500 }] },
);
export const WriteOffBody = Type.Object({ reason: Reason('kept in the invoice history', 'uncollectable small balance') }, { additionalProperties: false });
export const CreditNoteBody = Type.Object(
  { amount: { ...Amount, description: 'lowers the total by this much; at most the amount due' }, reason: Reason('kept in the invoice history', 'disputed line: 2 hours not worked') },
  { additionalProperties: false, examples: [{ amount: 5000, reason: 'disputed line: 2 hours not worked' }] },
);

export const CreditEntryResponse = Type.Object({
  id: Uuid,
  currency: Currency,
  amount: { ...Type.Integer(), description: 'signed minor units: + credit added, − credit spent or taken back' },
  kind: Type.String({ description: 'unapplied_payment, applied_to_invoice, application_released, credit_returned, payment_voided' }),
  paymentId: Nullable(Uuid),
  invoiceId: Nullable(Uuid),
  createdAt: DateTime,
});
export const ContactCreditResponse = Type.Object({
  contactId: Uuid,
  balances: Type.Array(Type.Object({ currency: Currency, balance: MoneyValue }), { description: 'per currency; currencies without credit are left out' }),
  entries: Type.Array(CreditEntryResponse, { description: 'the 50 newest movements, newest first' }),
});
