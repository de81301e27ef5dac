/**
 * Corrections bench: the money corrections over HTTP (app.inject) against the raw Update rate on
 * the same dev server. Each operation is one or more Updates of invoice workflows plus Postgres:
 * a void (one Update), a credit note (one Update), a credit application (a saga: ledger debit +
 * one Update), a payment allocated across two invoices (a saga: parent row, two Updates, the remainder).
 */
import { randomUUID } from 'node:crypto';
import { pingUpdate, rawBenchWorkflow, stopSignal } from './raw-workflows';
import { buildStack, createInvoice, round, type Stack } from './core';
import { pool } from './pool';
import type { BenchRow } from './types';

const SECTION = 'corrections';
const CONCURRENCY = 8;
const COUNT = 80;
const BUDGET_MS = 12_000;
const INVOICES = 16;

async function rate(label: string, count: number, fn: (i: number) => Promise<void>): Promise<{ perSecond: number; done: number }> {
  const r = await pool(count, CONCURRENCY, BUDGET_MS, fn);
  if (r.done === 0) throw new Error(`${label}: nothing done`);
  return { perSecond: (r.done / r.ms) * 1000, done: r.done };
}

const must = async (p: Promise<{ status: number; body: any }>, what: string, status = 201) => {
  const res = await p;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

async function measure(stack: Stack): Promise<BenchRow[]> {
  const invoices: { id: string }[] = [];
  for (let i = 0; i < INVOICES; i++) invoices.push(await createInvoice(stack, 10_000_000));
  // Raw reference: bare Updates on as many trivial workflows, same concurrency.
  const rawIds = Array.from({ length: INVOICES }, () => `bench-raw-corr-${randomUUID()}`);
  for (const id of rawIds) await stack.client.workflow.start(rawBenchWorkflow, { taskQueue: stack.rawTaskQueue, workflowId: id });
  const raw = await rate('raw update', COUNT, async (i) => {
    await stack.client.workflow.getHandle(rawIds[i % rawIds.length]).executeUpdate(pingUpdate, { args: [i] });
  });

  // Payments to void, and credit to apply, made beforehand (not measured).
  const payments: string[] = [];
  await pool(COUNT, CONCURRENCY, 60_000, async (i) => {
    payments.push((await must(stack.request('POST', `/v1/invoices/${invoices[i % INVOICES].id}/payments`, { amount: 100, method: 'cash' }), 'payment')).id);
  });
  await must(stack.request('POST', '/v1/payments', { contactId: stack.contactId, amount: 10_000_000, currency: 'USD', method: 'wire_transfer' }), 'credit');

  const voids = await rate('void', payments.length, async (i) => {
    await must(stack.request('POST', `/v1/payments/${payments[i]}/void`, { reason: 'bench' }), 'void', 200);
  });
  const notes = await rate('credit note', COUNT, async (i) => {
    await must(stack.request('POST', `/v1/invoices/${invoices[i % INVOICES].id}/credit-notes`, { amount: 100, reason: 'bench' }), 'credit note');
  });
  const credits = await rate('apply credit', COUNT, async (i) => {
    await must(stack.request('POST', `/v1/invoices/${invoices[i % INVOICES].id}/apply-credit`, { amount: 100 }), 'apply credit');
  });
  const allocations = await rate('allocation', COUNT, async (i) => {
    const a = invoices[i % INVOICES].id;
    const b = invoices[(i + 1) % INVOICES].id;
    await must(stack.request('POST', '/v1/payments', { contactId: stack.contactId, amount: 250, currency: 'USD', method: 'wire_transfer', allocations: [{ invoiceId: a, amount: 100 }, { invoiceId: b, amount: 100 }] }), 'allocation');
  });
  for (const id of rawIds) await stack.client.workflow.getHandle(id).signal(stopSignal).catch(() => undefined);
  for (const inv of invoices) await stack.client.workflow.getHandle(`invoice-${inv.id}`).terminate('bench done').catch(() => undefined);

  const row = (metric: string, r: { perSecond: number; done: number }, updates: number, note: string): BenchRow => ({
    section: SECTION,
    metric,
    value: round(r.perSecond, 1),
    unit: 'ops/s',
    reference: { label: 'raw executeUpdate/s', value: round(raw.perSecond, 1) },
    ratio: round(r.perSecond / raw.perSecond),
    note: `API/raw (higher is better); ${r.done} ops, ${CONCURRENCY} concurrent; ${updates} invoice Update(s) each; ${note}`,
  });
  return [
    row('void a manual payment', voids, 1, 'the Update waits for the write'),
    row('credit note', notes, 1, 'the Update waits for the write'),
    row('apply contact credit', credits, 1, 'a saga workflow: ledger debit, then the Update'),
    row('payment across 2 invoices', allocations, 2, 'a saga workflow: parent row, 2 Updates, remainder as credit'),
  ];
}

export async function run(): Promise<BenchRow[]> {
  const stack = await buildStack();
  try {
    return await measure(stack);
  } finally {
    await stack.close();
  }
}
