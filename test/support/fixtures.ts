/**
 * Rows the invoice workflow's activities expect to exist, inserted directly with the ORM:
 * a tenant, a contact, an invoice (+ its planned payments), and the workflow input derived from them.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { Contact, Invoice, InvoiceEvent, Payment, PlannedPayment, Tenant } from '../../db/entities';
import { addDays, dateIn, overdueInstant, zonedInstant } from '../../domain/dates';
import { buildPaymentPlan, type InstallmentInput } from '../../domain/plan';
import { formatInvoiceNumber } from '../../domain/numbering';
import type { InvoiceStatus } from '../../domain/invoice';
import type { InvoiceWorkflowInput, PaymentInput } from '../../workflows/definitions';
import { perFile } from './hooks';

export async function insertTenant(orm: MikroORM, over: Partial<Pick<Tenant, 'name' | 'plan' | 'timeZone'>> = {}): Promise<Tenant> {
  const em = orm.em.fork();
  const tenant = em.create(Tenant, {
    id: uuidv7(),
    name: over.name ?? 'Test tenant',
    plan: over.plan ?? 'professional',
    timeZone: over.timeZone ?? 'UTC',
    invoiceSequence: 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.persistAndFlush(tenant);
  return tenant;
}

export async function insertContact(orm: MikroORM, tenantId: string, name = 'Ada Customer'): Promise<Contact> {
  const em = orm.em.fork();
  const contact = em.create(Contact, {
    id: uuidv7(),
    tenant: tenantId,
    name,
    email: 'ada@example.test',
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.persistAndFlush(contact);
  return contact;
}

export interface InvoiceFixtureOptions {
  total?: number;
  currency?: string;
  timeZone?: string;
  /** Defaults to the tenant-local date of `now`. */
  issueDate?: string;
  /** Defaults to issueDate + 30 days. */
  dueDate?: string;
  plan?: InstallmentInput[];
  /** "Now" used for the default dates: pass the test server's time (env.currentTimeMs()). */
  now?: number;
  maxHistoryEvents?: number;
}

export interface InvoiceFixture {
  tenantId: string;
  contactId: string;
  invoiceId: string;
  timeZone: string;
  issueDate: string;
  dueDate: string;
  input: InvoiceWorkflowInput;
}

/** Inserts tenant, contact, invoice (status open) and planned payments; returns the workflow input. */
export async function insertInvoice(orm: MikroORM, opts: InvoiceFixtureOptions = {}): Promise<InvoiceFixture> {
  const timeZone = opts.timeZone ?? 'UTC';
  const currency = opts.currency ?? 'USD';
  const total = opts.total ?? 5000;
  const issueDate = opts.issueDate ?? dateIn(opts.now ?? Date.now(), timeZone);
  const dueDate = opts.dueDate ?? addDays(issueDate, 30);
  const tenant = await insertTenant(orm, { timeZone });
  const contact = await insertContact(orm, tenant.id);
  const invoiceId = uuidv7();
  const number = formatInvoiceNumber(1);
  const plan = buildPaymentPlan(opts.plan, { total, issueDate, dueDate });

  const em = orm.em.fork();
  em.create(Invoice, {
    id: invoiceId,
    tenant: tenant.id,
    number,
    contact: contact.id,
    currency,
    issueDate,
    dueDate,
    lineItems: [{ description: 'Services', quantity: 1, unitAmount: total, amount: total }],
    total,
    paid: 0,
    due: total,
    status: 'open',
    stateVersion: 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const planned = plan.map((p, seq) => ({ id: uuidv7(), seq, ...p }));
  for (const p of planned) {
    em.create(PlannedPayment, { id: p.id, tenant: tenant.id, invoice: invoiceId, seq: p.seq, amount: p.amount, date: p.date, method: p.method });
  }
  await em.flush();

  return {
    tenantId: tenant.id,
    contactId: contact.id,
    invoiceId,
    timeZone,
    issueDate,
    dueDate,
    input: {
      invoiceId,
      tenantId: tenant.id,
      contactId: contact.id,
      number,
      currency,
      total,
      dueDate,
      overdueAt: overdueInstant(dueDate, timeZone),
      timeZone,
      plan: planned.map((p) => ({ id: p.id, amount: p.amount, date: p.date, at: zonedInstant(p.date, timeZone) })),
      ...(opts.maxHistoryEvents !== undefined ? { maxHistoryEvents: opts.maxHistoryEvents } : {}),
    },
  };
}

/** A payment message for the fixture's invoice (fresh uuid v7 unless given). */
export function paymentFor(fx: InvoiceFixture, amount: number, over: Partial<PaymentInput> = {}): PaymentInput {
  return {
    paymentId: uuidv7(),
    contactId: fx.contactId,
    amount,
    currency: fx.input.currency,
    date: fx.issueDate,
    method: 'bank_transfer',
    reference: null,
    source: 'manual',
    ...over,
  };
}

// ---- reads -----------------------------------------------------------------------------------

export interface InvoiceRow {
  status: InvoiceStatus;
  paid: number;
  due: number;
  stateVersion: number;
}

export async function readInvoice(orm: MikroORM, invoiceId: string): Promise<InvoiceRow> {
  const row = await orm.em.fork().findOneOrFail(Invoice, { id: invoiceId });
  return { status: row.status, paid: row.paid, due: row.due, stateVersion: row.stateVersion };
}

export async function readPayments(orm: MikroORM, filter: { invoiceId?: string; contactId?: string }) {
  const where: Record<string, unknown> = {};
  if (filter.invoiceId) where.invoice = filter.invoiceId;
  if (filter.contactId) where.contact = filter.contactId;
  const rows = await orm.em.fork().find(Payment, where, { orderBy: { id: 'asc' } });
  return rows.map((p) => ({ id: p.id, amount: p.amount, currency: p.currency, invoiceId: p.invoice ? p.invoice.id : null, contactId: p.contact.id }));
}

export async function readEvents(orm: MikroORM, invoiceId: string) {
  const rows = await orm.em.fork().find(InvoiceEvent, { invoice: invoiceId }, { orderBy: { occurredAt: 'asc', id: 'asc' } });
  return rows.map((e) => ({ type: e.type, dedupeKey: e.dedupeKey, data: e.data, occurredAt: e.occurredAt }));
}

/**
 * Polls until `check` passes (or throws its last error after `timeoutMs` of real time). Used only to
 * wait for the worker's asynchronous activity to reach Postgres, never for workflow time to pass.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

// ---- workflow harness ------------------------------------------------------------------------

/**
 * One time-skipping Temporal test server, one real ORM on the test database and one real worker
 * on a unique task queue, for a test file. Call in beforeAll; `close()` in afterAll.
 */
export async function startInvoiceHarness(prefix: string) {
  // Imported lazily so domain-only users of this module do not load the Temporal SDK.
  const { createTimeSkippingEnv, startWorker, uniqueTaskQueue } = await import('./temporal');
  const { createTestOrm } = await import('./db');
  const { invoiceWorkflow } = await import('../../workflows/invoice');
  const { invoiceWorkflowId } = await import('../../workflows/definitions');

  const env = await createTimeSkippingEnv();
  const orm = await createTestOrm();
  const taskQueue = uniqueTaskQueue(prefix);
  const worker = await startWorker({ connection: env.nativeConnection, taskQueue, orm });

  return {
    env,
    orm,
    taskQueue,
    /** Starts the invoice workflow for a fixture, exactly as the API would (minus search attributes). */
    start(fx: InvoiceFixture) {
      return env.client.workflow.start(invoiceWorkflow, { workflowId: invoiceWorkflowId(fx.invoiceId), taskQueue, args: [fx.input] });
    },
    /** Advances the test server's clock to `at` (epoch ms) by time skipping. */
    async skipTo(at: number) {
      const now = await env.currentTimeMs();
      if (at <= now) return;
      // The test server skips time only when nothing is in flight; fail fast instead of hanging the suite.
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`time skipping to ${new Date(at).toISOString()} stalled (a workflow or activity task is stuck)`)), 20_000);
      });
      try {
        await Promise.race([env.sleep(at - now), stalled]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await worker.stop();
      await env.teardown();
      await orm.close();
    },
  };
}
export type InvoiceHarness = Awaited<ReturnType<typeof startInvoiceHarness>>;

/** The invoice harness for the whole file: started in beforeAll, closed in afterAll (see ./hooks). */
export function useInvoiceHarness(prefix: string): InvoiceHarness {
  return perFile(() => startInvoiceHarness(prefix), { close: (h) => h.close() });
}
