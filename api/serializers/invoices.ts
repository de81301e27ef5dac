import type { Static } from '@sinclair/typebox';
import type { InvoiceEvent } from '../../db';
import type { InvoiceDetail, InvoiceWithPlan } from '../../services/invoices';
import type { HistoryEntry, InvoiceDetailResponse, InvoiceResponse } from '../schemas/invoices';
import { iso, ref } from './common';
import { paymentJson } from './payments';

export const invoiceJson = ({ invoice: i, plan }: InvoiceWithPlan): Static<typeof InvoiceResponse> => ({
  id: i.id,
  number: i.number,
  contact: ref(i.contact),
  dealId: i.deal?.id ?? null,
  currency: i.currency,
  issueDate: i.issueDate,
  dueDate: i.dueDate,
  lineItems: i.lineItems,
  total: i.total,
  paid: i.paid,
  due: i.due,
  status: i.status,
  paymentPlan: plan.map((p) => ({ id: p.id, amount: p.amount, date: p.date, method: p.method ?? null })),
  createdAt: iso(i.createdAt),
  updatedAt: iso(i.updatedAt),
});

export const historyJson = (e: InvoiceEvent): Static<typeof HistoryEntry> => ({
  id: e.id,
  type: e.type,
  data: e.data,
  occurredAt: iso(e.occurredAt),
});

export const invoiceDetailJson = (d: InvoiceDetail): Static<typeof InvoiceDetailResponse> => ({
  ...invoiceJson(d),
  payments: d.payments.map(paymentJson),
  history: d.history.map(historyJson),
});
