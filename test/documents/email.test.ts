/**
 * Reminder e-mails for real: invoices made through the API on the time-skipping Temporal server, the
 * tenant's reminder policy and templates, the reminder job on BullMQ, the SMTP channel (nodemailer)
 * into a real local SMTP server, and the mail parsed back: headers, text and HTML bodies, the pay
 * link the API shows, and the invoice PDF attached. Then an SMTP outage: BullMQ retries, sent once.
 */
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import { createReminderActivities } from '../../activities/reminders';
import { addDays, dateIn } from '../../domain/dates';
import { Invoice, PlannedPayment } from '../../db';
import { scopeOf } from '../../services/context';
import { workflowInputFor } from '../../services/invoice-workflow';
import { invoiceWorkflowId } from '../../workflows/definitions';
import { invoiceWorkflow } from '../../workflows/invoice';
import { createTenant } from '../../services/tenants';
import { outboxChannel, smtpChannel, type ReminderChannel } from '../../worker/channels';
import { eventually, insertInvoice } from '../support/fixtures';
import { perFile } from '../support/hooks';
import { pdfLines, pdfText } from '../support/pdf';
import { materialized, readOutbox, readReminders, REDIS_URL, TEST_CONFIG, useReminderHarness, useReminderQueue } from '../support/reminders';
import { useSmtpSink } from '../support/smtp';
import { connectDevServer, uniqueTaskQueue } from '../support/temporal';

const MINUTE = 60_000;
const smtp = useSmtpSink();
// The harness is made before the test file's hooks run: its channels find their targets on first use.
let mailer: ReturnType<typeof smtpChannel> | undefined;
const viaSmtp: ReminderChannel = { name: 'smtp', attachments: true, deliver: (m) => (mailer ??= smtpChannel(smtp.url)).deliver(m) };
const h = useReminderHarness('docs-mail', { channels: [{ name: 'outbox', deliver: (m) => outboxChannel(h.orm).deliver(m) }, viaSmtp] });
const api = perFile(
  async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    // The API starts each invoice's workflow on the dev server, on a task queue no worker polls (the
    // time-skipping server knows none of its search attributes); the test runs it on the harness.
    const dev = await connectDevServer();
    const processDeps = { orm: h.orm, temporal: dev.client, config: { ...TEST_CONFIG, TEMPORAL_TASK_QUEUE: uniqueTaskQueue('docs-mail-idle') } };
    const app = await buildApp({ ...processDeps, redis });
    await app.ready();
    const tenant = async () => {
      const { apiKey, tenantId } = await createTenant(scopeOf(processDeps), { name: 'Northwind Traders', plan: 'professional', timeZone: 'UTC' });
      const request = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) => {
        const res = await app.inject({ method, url, payload: body as never, headers: { authorization: `Bearer ${apiKey}` } });
        return { status: res.statusCode, body: res.json() };
      };
      return { tenantId, request };
    };
    /** The invoice's workflow on the time-skipping server, from its rows as the API stored them. */
    const runOnHarness = async (invoiceId: string) => {
      const em = h.orm.em.fork();
      const invoice = await em.findOneOrFail(Invoice, { id: invoiceId }, { populate: ['tenant'] });
      const plan = await em.find(PlannedPayment, { invoice: invoiceId }, { orderBy: { seq: 'asc' } });
      await h.env.client.workflow.start(invoiceWorkflow, { workflowId: invoiceWorkflowId(invoiceId), taskQueue: h.taskQueue, args: [workflowInputFor(invoice, plan, invoice.tenant.timeZone)] });
    };
    return { app, redis, dev, tenant, runOnHarness };
  },
  {
    close: async (a) => {
      await a.app.close();
      a.redis.disconnect();
      await Promise.allSettled([a.dev.connection.close(), a.dev.nativeConnection.close()]);
      mailer?.close();
    },
  },
);

test('an instalment reminder and a dunning reminder arrive by SMTP with the tenant template, the pay link and the invoice PDF', async () => {
  const t = await api.tenant();
  expect((await t.request('PUT', '/v1/settings/reminders', { installments: { enabled: true, offsets: [-2] }, dunning: { enabled: true, offsets: [3] }, sendAtMinutes: 600 })).status).toBe(200);
  const settings = await t.request('PUT', '/v1/settings/company', {
    legalName: 'Northwind Traders Ltd',
    address: '12 Harbour Street\nBristol BS1 4QA',
    paymentInstructions: 'IBAN GB33 BUKB 2020 1555 5555 55',
    invoiceNumberPrefix: 'NW-',
    invoiceNumberPadding: 4,
    reminderSubjectTemplate: '{{#if reminder.overdue}}Overdue{{else}}Coming up{{/if}}: {{amount_due}} on {{invoice.number}} ({{company.name}})',
    reminderBodyTemplate: 'Dear {{contact.name}},\n\n{{amount_due}} on invoice {{invoice.number}} is due on {{due_date}}.{{#if reminder.overdue}} It is {{reminder.days_overdue}} days late.{{/if}}\n\nPay here: {{pay_url}}\n\nOr: {{payment_instructions}}\n\n{{company.name}}',
  });
  expect(settings.status).toBe(200);
  const contact = (await t.request('POST', '/v1/contacts', { name: 'Ada <Lovelace> & Co', email: 'ada@analytical.example' })).body;
  const today = dateIn(await h.env.currentTimeMs(), 'UTC');
  const dueDate = addDays(today, 10);
  const created = await t.request('POST', '/v1/invoices', { contactId: contact.id, currency: 'EUR', issueDate: today, dueDate, lineItems: [{ description: 'Harbour survey', quantity: 2, unitAmount: 62500 }] });
  expect(created).toMatchObject({ status: 201 });
  const invoice = created.body;
  expect(invoice.number).toBe('NW-0001');
  await api.runOnHarness(invoice.id);
  const reminders = await eventually(async () => {
    const rows = await readReminders(h.orm, invoice.id);
    expect(rows.map((r) => r.key)).toEqual([expect.stringMatching(/^inst-.*-m2$/), 'dun-p3']);
    return rows;
  });
  expect(reminders[0].at).toBe(Date.parse(`${addDays(dueDate, -2)}T10:00:00Z`));

  await h.skipTo(reminders[0].at + MINUTE);
  await eventually(async () => expect((await readReminders(h.orm, invoice.id))[0]).toMatchObject({ status: 'sent', channel: 'outbox,smtp' }));
  const [reminderRow] = await h.orm.em.getConnection().execute<{ id: string }[]>('select id from reminders where invoice_id = ? and key = ?', [invoice.id, reminders[0].key]);
  const mails = smtp.messages.filter((m) => m.subject?.includes(invoice.number));
  expect(mails).toHaveLength(1);
  const [mail] = mails;
  const { body: shown } = await t.request('GET', `/v1/invoices/${invoice.id}`);

  // Headers.
  expect(mail.from?.value).toEqual([{ address: TEST_CONFIG.REMINDER_FROM, name: '' }]);
  expect((mail.to as { value: unknown[] }).value).toEqual([{ address: 'ada@analytical.example', name: '' }]);
  expect(mail.envelope).toEqual({ from: TEST_CONFIG.REMINDER_FROM, to: ['ada@analytical.example'] });
  expect(mail.subject).toBe(`Coming up: €1,250.00 on NW-0001 (Northwind Traders Ltd)`);
  expect(mail.messageId).toBe(`<reminder-${reminderRow.id}@payment-center>`);
  expect(mail.date).toBeInstanceOf(Date);
  expect(mail.headers.get('date')).toBeTruthy();
  // Bodies: the text as written, the HTML with every value escaped and the pay link clickable.
  expect(mail.text).toBe(
    `Dear Ada <Lovelace> & Co,\n\n€1,250.00 on invoice NW-0001 is due on ${dueDate}.\n\nPay here: ${shown.customerUrl}\n\nOr: IBAN GB33 BUKB 2020 1555 5555 55\n\nNorthwind Traders Ltd\n`,
  );
  expect(mail.html).toContain('Dear Ada &lt;Lovelace&gt; &amp; Co,<br>');
  expect(mail.html).not.toContain('<Lovelace>');
  expect(mail.html).toContain(`<a href="${shown.customerUrl}">${shown.customerUrl}</a>`);
  // The pay link is the pay page the API shows, and it opens this invoice.
  expect(shown.customerUrl).toMatch(/^https:\/\/pay\.example\.test\/i\//);
  const page = await api.app.inject({ method: 'GET', url: `/v1/public/invoices/${shown.customerUrl.split('/i/')[1]}` });
  expect(page.json().invoice.number).toBe('NW-0001');
  // The PDF.
  expect(mail.attachments).toHaveLength(1);
  const [pdf] = mail.attachments;
  expect(pdf.contentType).toBe('application/pdf');
  expect(pdf.filename).toBe('invoice-NW-0001.pdf');
  const text = pdfText(pdf.content);
  expect(text).toContain('NW-0001');
  expect(pdfLines(text)).toContain('Due  €1,250.00');
  expect(text).toContain('Ada <Lovelace> & Co');
  expect(text).not.toMatch(/\bOVERDUE\b/);
  // The outbox kept the same text (and nothing more).
  expect(await readOutbox(h.orm, invoice.id)).toEqual([{ key: reminders[0].key, recipient: 'ada@analytical.example', subject: mail.subject, body: mail.text!.trimEnd(), link: shown.customerUrl }]);

  // Past the due date: dunning, the PDF stamped OVERDUE.
  await h.skipTo(reminders[1].at + MINUTE);
  await eventually(async () => expect((await readReminders(h.orm, invoice.id))[1]).toMatchObject({ key: 'dun-p3', status: 'sent' }));
  const dunning = smtp.messages.filter((m) => m.subject?.includes(invoice.number));
  expect(dunning).toHaveLength(2);
  expect(dunning[1].subject).toBe('Overdue: €1,250.00 on NW-0001 (Northwind Traders Ltd)');
  expect(dunning[1].text).toContain(`is due on ${dueDate}. It is 3 days late.`);
  const overduePdf = pdfText(dunning[1].attachments[0].content);
  expect(overduePdf).toMatch(/\bOVERDUE\b/);
  expect(pdfLines(overduePdf)).toContain('Due  €1,250.00');
});

const rq = useReminderQueue('docs-smtp-outage');

test('SMTP refusing: BullMQ retries the job, and the reminder is sent once when the server is back', async () => {
  const activities = createReminderActivities({ orm: rq.orm, reminderQueue: rq.queue, reminderJobOptions: { attempts: 50, backoff: { type: 'fixed', delay: 100 } } });
  const fx = await insertInvoice(rq.orm, { total: 4200 });
  await materialized(activities, fx);
  const channel = smtpChannel(smtp.url);
  const worker = rq.startWorker([outboxChannel(rq.orm), channel]);
  const before = smtp.messages.length;
  smtp.refuse(true);
  try {
    await activities.enqueueReminder({ tenantId: fx.tenantId, invoiceId: fx.invoiceId, key: 'dun-p1', amount: 4200 });
    const retried = await eventually(async () => {
      const row = (await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p1')!;
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      return row;
    });
    expect(retried.status).toBe('queued');
    expect(smtp.refused).toBeGreaterThanOrEqual(2);
    expect(smtp.messages.length).toBe(before);

    smtp.refuse(false);
    await eventually(async () => expect((await readReminders(rq.orm, fx.invoiceId)).find((r) => r.key === 'dun-p1')).toMatchObject({ status: 'sent', channel: 'outbox,smtp' }));
  } finally {
    smtp.refuse(false);
    await worker.close();
    channel.close();
  }
  const arrived = smtp.messages.slice(before);
  expect(arrived).toHaveLength(1);
  // The built-in text (no templates for this tenant), in both bodies, with the PDF.
  expect(arrived[0].subject).toBe(`Overdue: invoice ${fx.input.number} — $42.00 past due`);
  expect(arrived[0].text).toContain('$42.00 is still outstanding');
  expect(arrived[0].html).toContain('$42.00 is still outstanding');
  expect(arrived[0].attachments.map((a) => [a.filename, a.contentType])).toEqual([[`invoice-${fx.input.number}.pdf`, 'application/pdf']]);
  expect(pdfText(arrived[0].attachments[0].content)).toContain(fx.input.number);
  expect(await readOutbox(rq.orm, fx.invoiceId)).toHaveLength(1);
});
