import type { Static } from '@sinclair/typebox';
import type { Contact } from '../../db';
import type { ContactResponse } from '../schemas/contacts';
import { iso } from './common';

export const contactJson = (c: Contact): Static<typeof ContactResponse> => ({
  id: c.id,
  name: c.name,
  email: c.email ?? null,
  company: c.company ?? null,
  createdAt: iso(c.createdAt),
});
