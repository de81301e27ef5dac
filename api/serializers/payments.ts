import type { Static } from '@sinclair/typebox';
import type { Refund } from '../../db';
import { paymentState } from '../../domain/payment';
import type { PaymentView } from '../../services/payments';
import type { PaymentResponse, RefundResponse } from '../schemas/payments';
import { invoiceRef, iso, ref } from './common';

export const refundJson = (r: Refund): Static<typeof RefundResponse> => ({
  id: r.id,
  paymentId: r.paymentId,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  reason: r.reason ?? null,
  failureReason: r.failureReason ?? null,
  createdAt: iso(r.createdAt),
});

export const paymentJson = ({ payment: p, refunded, refunds, parts }: PaymentView): Static<typeof PaymentResponse> => ({
  id: p.id,
  contact: ref(p.contact),
  invoice: p.invoice ? invoiceRef(p.invoice) : null,
  amount: p.amount,
  currency: p.currency,
  date: p.date,
  method: p.method,
  reference: p.reference ?? null,
  source: p.source,
  status: paymentState({ amount: p.amount, voidedAt: p.voidedAt, refunded }),
  voided: p.voidedAt ? { at: iso(p.voidedAt), by: p.voidedBy ?? null, reason: p.voidReason ?? '' } : null,
  refunded,
  refunds: refunds.map(refundJson),
  parentId: p.parentId ?? null,
  allocations: parts.map((part) => ({ paymentId: part.id, invoice: part.invoice ? invoiceRef(part.invoice) : null, amount: part.amount, status: paymentState({ amount: part.amount, voidedAt: part.voidedAt }) })),
  createdAt: iso(p.createdAt),
});
