import type { Static } from '@sinclair/typebox';
import type { PlannedPayment } from '../../db';
import type { PlannedPaymentResponse } from '../schemas/payment-plans';
import { invoiceRef, ref } from './common';

export const plannedPaymentJson = (p: PlannedPayment): Static<typeof PlannedPaymentResponse> => ({
  id: p.id,
  invoice: invoiceRef(p.invoice),
  contact: ref(p.invoice.contact),
  amount: p.amount,
  currency: p.invoice.currency,
  date: p.date,
  method: p.method ?? null,
  invoiceStatus: p.invoice.status,
});
