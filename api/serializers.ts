/** Entities → the API's JSON shapes (camelCase, dates as YYYY-MM-DD, money as integers). */
import type { Static } from '@sinclair/typebox';
import type { Contact, Deal, Invoice, InvoiceEvent, Payment, PlannedPayment } from '../db/entities';
import type * as S from './schemas';

const ref = (c: Contact) => ({ id: c.id, name: c.name });
const iso = (d: Date) => d.toISOString();

export const contactJson = (c: Contact): Static<typeof S.ContactResponse> => ({
  id: c.id,
  name: c.name,
  email: c.email ?? null,
  company: c.company ?? null,
  createdAt: iso(c.createdAt),
});

export const dealJson = (d: Deal): Static<typeof S.DealResponse> => ({
  id: d.id,
  name: d.name,
  contact: ref(d.contact),
  amount: d.amount,
  currency: d.currency,
  createdAt: iso(d.createdAt),
});

export const invoiceJson = (i: Invoice, plan: PlannedPayment[]): Static<typeof S.InvoiceResponse> => ({
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

export const paymentJson = (p: Payment): Static<typeof S.PaymentResponse> => ({
  id: p.id,
  contact: ref(p.contact),
  invoice: p.invoice ? { id: p.invoice.id, number: p.invoice.number } : null,
  amount: p.amount,
  currency: p.currency,
  date: p.date,
  method: p.method,
  reference: p.reference ?? null,
  source: p.source,
  createdAt: iso(p.createdAt),
});

export const historyJson = (e: InvoiceEvent): Static<typeof S.HistoryEntry> => ({
  id: e.id,
  type: e.type,
  data: e.data,
  occurredAt: iso(e.occurredAt),
});

export const plannedPaymentJson = (p: PlannedPayment): Static<typeof S.PlannedPaymentResponse> => ({
  id: p.id,
  invoice: { id: p.invoice.id, number: p.invoice.number },
  contact: ref(p.invoice.contact),
  amount: p.amount,
  currency: p.invoice.currency,
  date: p.date,
  method: p.method ?? null,
  invoiceStatus: p.invoice.status,
});
