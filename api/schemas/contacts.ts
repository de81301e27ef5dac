import { Type } from '@sinclair/typebox';
import { DateTime, ListQueryBase, Nullable, Text, Uuid } from './common';

export const ContactBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Nullable(Text({ format: 'email', maxLength: 320 }))),
    company: Type.Optional(Nullable(Text({ maxLength: 200 }))),
  },
  { additionalProperties: false },
);
export const ContactResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  email: Nullable(Type.String()),
  company: Nullable(Type.String()),
  createdAt: DateTime,
});
export const ContactListQuery = Type.Object(ListQueryBase, { additionalProperties: false });
