import { Type } from '@sinclair/typebox';
import { MAX_AMOUNT } from '../../domain/money';
import { Currency, DateTime, ListQuery, MoneyValue, NonBlank, Ref, Uuid } from './common';

export const DealBody = Type.Object(
  {
    name: NonBlank({ maxLength: 200, examples: ['Annual support 2027'] }),
    contactId: Uuid,
    amount: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT, description: 'expected value, integer minor units', examples: [12500] }),
    currency: Currency,
  },
  { additionalProperties: false, examples: [{ name: 'Annual support 2027', contactId: '0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b', amount: 12500, currency: 'USD' }] },
);
export const DealResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  contact: Ref,
  amount: MoneyValue,
  currency: Currency,
  createdAt: DateTime,
});
export const DealListQuery = Type.Object({ ...ListQuery('the deal name or its contact name'), contactId: Type.Optional(Uuid) }, { additionalProperties: false });
