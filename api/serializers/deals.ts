import type { Static } from '@sinclair/typebox';
import type { Deal } from '../../db';
import type { DealResponse } from '../schemas/deals';
import { iso, ref } from './common';

export const dealJson = (d: Deal): Static<typeof DealResponse> => ({
  id: d.id,
  name: d.name,
  contact: ref(d.contact),
  amount: d.amount,
  currency: d.currency,
  createdAt: iso(d.createdAt),
});
