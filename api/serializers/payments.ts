import type { Static } from '@sinclair/typebox';
import type { Payment } from '../../db';
import type { PaymentResponse } from '../schemas/payments';
import { invoiceRef, iso, ref } from './common';

export const paymentJson = (p: Payment): Static<typeof PaymentResponse> => ({
  id: p.id,
  contact: ref(p.contact),
  invoice: p.invoice ? invoiceRef(p.invoice) : null,
  amount: p.amount,
  currency: p.currency,
  date: p.date,
  method: p.method,
  reference: p.reference ?? null,
  source: p.source,
  createdAt: iso(p.createdAt),
});
