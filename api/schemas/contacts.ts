import { Type } from '@sinclair/typebox';
import { DateTime, ListQuery, NonBlank, Nullable, Text, Uuid } from './common';

export const ContactBody = Type.Object(
  {
    name: NonBlank({ maxLength: 200, description: 'display name; not blank', examples: ['Ada Lovelace'] }),
    email: Type.Optional(Nullable(Text({ format: 'email', maxLength: 320, examples: ['ada@example.com'] }))),
    company: Type.Optional(Nullable(Text({ maxLength: 200, examples: ['Analytical Engines Ltd'] }))),
  },
  { additionalProperties: false, examples: [{ name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines Ltd' }] },
);
export const ContactResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  email: Nullable(Type.String()),
  company: Nullable(Type.String()),
  createdAt: DateTime,
});
export const ContactListQuery = Type.Object(ListQuery('the contact name, email or company'), { additionalProperties: false });
