import type { Static } from '@sinclair/typebox';
import type { InvoiceEvent, PlannedPayment } from '../../db';
import type { InvoiceDetail, InvoiceWithPlan } from '../../services/invoices';
import type { HistoryEntry, InvoiceDetailResponse, InvoiceResponse } from '../schemas/invoices';
import { owedOn, settledAmount } from '../../domain/invoice';
import { uncoveredInstallments } from '../../domain/plan';
import { iso, ref } from './common';
import { paymentJson } from './payments';

/** The plan, each instalment marked covered once the payments (applied oldest first) reach it. */
export const planJson = (plan: PlannedPayment[], paid: number) => {
  const uncovered = uncoveredInstallments(plan, paid);
  return plan.map((p, n) => ({ id: p.id, amount: p.amount, date: p.date, method: p.method ?? null, covered: uncovered[n] === 0 }));
};

export const invoiceJson = ({ invoice: i, plan, customerUrl }: InvoiceWithPlan): Static<typeof InvoiceResponse> => ({
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
  due: owedOn(i),
  credited: i.credited,
  writtenOff: i.writtenOff,
  status: i.status,
  paymentPlan: planJson(plan, settledAmount(i)),
  customerUrl,
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
