import { Type } from '@sinclair/typebox';
import { MAX_AMOUNT } from '../../domain/money';
import { Currency, DateTime, ListQueryBase, MoneyValue, Ref, Text, Uuid } from './common';

export const DealBody = Type.Object(
  { name: Text({ minLength: 1, maxLength: 200 }), contactId: Uuid, amount: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT }), currency: Currency },
  { additionalProperties: false },
);
export const DealResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  contact: Ref,
  amount: MoneyValue,
  currency: Currency,
  createdAt: DateTime,
});
export const DealListQuery = Type.Object({ ...ListQueryBase, contactId: Type.Optional(Uuid) }, { additionalProperties: false });
