/**
 * The exports as Postgres writes them (COPY): byte for byte what the JavaScript formatting
 * (domain/csv.ts) gives for awkward rows seeded straight in SQL (a payment's status by the API's own
 * rule, paymentState), and a client that goes away mid-export gives its pooled connection back.
 */
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { buildApp } from '../../api/app';
import { createOrm } from '../../db/orm';
import { CrlfRecords } from '../../db/repositories/exports';
import { csvLine, majorUnits } from '../../domain/csv';
import { paymentState } from '../../domain/payment';
import { INVOICE_CSV_COLUMNS, PAYMENT_CSV_COLUMNS, PLANNED_PAYMENT_CSV_COLUMNS } from '../../services/exports';
import { createTestTenant, useTestStack } from '../support/stack';

const stack = useTestStack({ worker: false });
jest.setTimeout(120_000);

test('CRLF record ends from COPY\'s LF ones, wherever the chunks split (line breaks inside quoted fields stay)', async () => {
  const copy = 'id,name\n1,"two\nlines"\n2,"say ""hi""\n, ok"\n3,"crlf\r\nkept"\n4,""""\n5,plain\n';
  const crlf = 'id,name\r\n1,"two\nlines"\r\n2,"say ""hi""\n, ok"\r\n3,"crlf\r\nkept"\r\n4,""""\r\n5,plain\r\n';
  const bytes = Buffer.from(copy);
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b += 3) {
      const t = new CrlfRecords();
      const out: Buffer[] = [];
      t.on('data', (c: Buffer) => out.push(c));
      const ended = new Promise((r) => t.on('end', r));
      for (const part of [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]) if (part.length) t.write(part);
      t.end();
      await ended;
      expect([a, b, Buffer.concat(out).toString()]).toEqual([a, b, crlf]);
    }
  }
});

const AWKWARD = [
  'Plain',
  'Comma, Inc',
  'Say "hi"',
  'two\nlines',
  'carriage\rreturn',
  'crlf\r\ninside',
  '=1+1',
  '+1',
  '-1',
  '@SUM(A1)',
  '\tTab',
  '\rCR',
  '=HYPERLINK("http://evil","click"), Ltd',
  '',
  'Ünïcödé ✓',
  '\\.',
  ' padded ',
  "it's",
  'a-b=c',
];
const CURRENCIES = ['USD', 'JPY', 'KWD', 'EUR', 'BHD', 'CLP'];
const AMOUNTS = ['0', '5', '123456', '-150', '100000000000000000'];

test('invoices, payments and planned payments: the same bytes as the JavaScript formatting, for awkward text, currencies, amounts and payment states', async () => {
  const { tenantId, request } = await createTestTenant(stack);
  const conn = stack.orm.em.getConnection();
  const invoiceIds: string[] = [];
  for (const [n, name] of AWKWARD.entries()) {
    const contactId = randomUUID();
    await conn.execute(`insert into contacts (id, tenant_id, name, created_at, updated_at) values (?, ?, ?, now(), now())`, [contactId, tenantId, name]);
    const id = randomUUID();
    invoiceIds.push(id);
    const amount = AMOUNTS[n % AMOUNTS.length];
    await conn.execute(
      `insert into invoices (id, tenant_id, number, contact_id, currency, issue_date, due_date, line_items, total, paid, credited, written_off, due, status, created_at, updated_at)
       values (?, ?, ?, ?, ?, date '2026-11-01' + ?::int, date '2026-12-01', '[]'::jsonb, ?, ?, ?, ?, ?, 'open', timestamptz '2026-11-01 12:34:56.789123+00' + make_interval(secs => ?), now())`,
      // Every other invoice has a credit note, every third a write-off (due = total - paid - credited - written_off).
      [id, tenantId, n % 3 === 0 ? `${name}#${n}` : `INV-${n}`, contactId, CURRENCIES[n % CURRENCIES.length], n, amount, n, n % 2 ? 2 * n : 0, n % 3 ? 0 : 3 * n, `${BigInt(amount) - BigInt(n) - BigInt(n % 2 ? 2 * n : 0) - BigInt(n % 3 ? 0 : 3 * n)}`, n * 1.000999],
    );
    const paymentId = randomUUID();
    // Every fifth from the third on a card payment of 1234.56 (refunds below), every fourth from the second voided (the awkward text as its reason).
    const card = n % 5 === 2;
    const voided = !card && n % 4 === 1;
    await conn.execute(
      `insert into payments (id, tenant_id, contact_id, invoice_id, amount, currency, date, method, reference, source, voided_at, void_reason, voided_by, created_at)
       values (?, ?, ?, ?, ?, ?, date '2026-11-02', ?, ?, ?, ?, ?, ?, timestamptz '2026-11-02 08:00:00.5+00' + make_interval(secs => ?))`,
      // Two payments share each creation instant (the id breaks the tie); every third has no invoice, every fourth no reference.
      [
        paymentId,
        tenantId,
        contactId,
        n % 3 === 1 ? null : id,
        amount,
        CURRENCIES[n % CURRENCIES.length],
        card ? 'card' : n % 2 ? 'cash' : 'bank_transfer',
        n % 4 === 2 ? null : name,
        card ? 'stripe' : 'manual',
        voided ? `2026-11-03 10:00:00.${String(n * 37).padStart(3, '0')}999+00` : null,
        voided ? name : null,
        voided ? (n % 8 === 1 ? `api_key:${name}` : null) : null,
        Math.floor(n / 2),
      ],
    );
    if (card) {
      // Refunds of card payments: failed and canceled ones give nothing back; the rest count (none, part, all, more than all).
      const refunds = (
        [
          [[1, 'failed']],
          [[1, 'succeeded'], [2, 'pending'], [1000, 'canceled']],
          [[Number(amount), 'succeeded']],
          [[Number(amount) + 1, 'requires_action']],
        ] as [number, string][][]
      )[Math.floor(n / 5) % 4];
      for (const [amt, status] of refunds) {
        await conn.execute(`insert into refunds (id, tenant_id, payment_id, amount, currency, status) values (?, ?, ?, ?, ?, ?)`, [`re_${randomUUID()}`, tenantId, paymentId, amt, CURRENCIES[n % CURRENCIES.length], status]);
      }
    }
    for (const seq of [0, 1]) {
      await conn.execute(`insert into planned_payments (id, tenant_id, invoice_id, seq, amount, date, method, invoice_status) values (?, ?, ?, ?, ?, date '2026-11-15' + ?::int, ?, 'open')`, [
        randomUUID(),
        tenantId,
        id,
        seq,
        seq ? amount : String(n * 7),
        (n % 4) * seq,
        seq ? null : name.slice(0, 20) || null,
      ]);
    }
  }

  const text = async (url: string) => {
    const res = await request('GET', url);
    expect([url, res.status, res.headers['content-type']]).toEqual([url, 200, 'text/csv; charset=utf-8']);
    return String(res.body);
  };
  const iso = (d: Date | string) => new Date(d).toISOString();

  const invoices = await conn.execute<any[]>(
    `select i.id, i.number, i.status, i.contact_id, c.name as contact_name, i.currency, i.total::text as total, i.paid::text as paid, i.credited::text as credited, i.written_off::text as written_off, i.due::text as due,
            i.issue_date::text as issue_date, i.due_date::text as due_date, i.created_at
     from invoices i left join contacts c on c.id = i.contact_id where i.tenant_id = ? order by i.id desc`,
    [tenantId],
  );
  const invoiceLines = invoices.map((r) =>
    csvLine([
      r.id,
      r.number,
      r.status,
      r.contact_id,
      r.contact_name,
      r.currency,
      majorUnits(r.total, r.currency),
      majorUnits(r.paid, r.currency),
      majorUnits(r.credited, r.currency),
      majorUnits(r.written_off, r.currency),
      majorUnits(r.due, r.currency),
      r.issue_date,
      r.due_date,
      iso(r.created_at),
    ]),
  );
  const invoiceCsv = csvLine(INVOICE_CSV_COLUMNS) + invoiceLines.join('');
  const body = await text('/v1/invoices.csv');
  expect(body).toBe(invoiceCsv);
  // What that means on the wire: a line break inside a quoted field stays as it is, records end CRLF.
  expect(body).toContain('"two\nlines"');
  expect(body).toContain('"crlf\r\ninside"');
  expect(body).toContain(`,"'=HYPERLINK(""http://evil"",""click""), Ltd",`);
  expect(body).toContain(`,'-1,`);
  // Negative amounts get the guard's apostrophe, as csvField gives them; exponents per currency.
  expect(body).toContain(`,KWD,'-0.150,0.008,0.000,0.000,'-0.158,`); // row 8: total -150 minor units of KWD, paid 8
  expect(body).toContain(`,JPY,'-150,13,26,0,'-189,`); // row 13: a credit note of 26
  expect(body).toContain(`,JPY,5,1,2,0,2,`); // row 1
  expect(body).toContain(`,EUR,1000000000000000.00,0.09,0.18,0.27,999999999999999.46,`); // row 9: a credit note and a write-off; beyond float precision, exact
  expect(body.split('\r\n')).toHaveLength(AWKWARD.length + 3); // header, rows, the empty rest, and the CRLF inside a quoted field
  expect(body.endsWith('Z\r\n')).toBe(true);

  const payments = await conn.execute<any[]>(
    `select p.id, p.date::text as date, p.amount::text as amount, p.currency, p.method, p.reference, p.source, p.voided_at, p.voided_by, p.void_reason,
            (select coalesce(sum(r.amount), 0)::text from refunds r where r.tenant_id = p.tenant_id and r.payment_id = p.id and r.status not in ('failed', 'canceled')) as refunded,
            p.contact_id, c.name as contact_name, p.invoice_id, i.number as invoice_number, p.created_at
     from payments p left join contacts c on c.id = p.contact_id left join invoices i on i.id = p.invoice_id where p.tenant_id = ? and p.parent_id is null order by p.created_at desc, p.id desc`,
    [tenantId],
  );
  const paymentLine = (r: any) =>
    csvLine([
      r.id,
      r.date,
      majorUnits(r.amount, r.currency),
      r.currency,
      r.method,
      r.reference,
      r.source,
      paymentState({ amount: Number(r.amount), voidedAt: r.voided_at, refunded: Number(r.refunded) }),
      majorUnits(r.refunded, r.currency),
      r.voided_at && iso(r.voided_at),
      r.voided_by,
      r.void_reason,
      r.contact_id,
      r.contact_name,
      r.invoice_id,
      r.invoice_number,
      iso(r.created_at),
    ]);
  const paymentCsv = csvLine(PAYMENT_CSV_COLUMNS) + payments.map(paymentLine).join('');
  expect(await text('/v1/payments.csv')).toBe(paymentCsv);
  expect(payments.some((r) => r.reference === null) && payments.some((r) => r.invoice_id === null)).toBe(true);
  // Every state and a kept void are in there (their bytes compared above).
  const states = payments.map((r) => paymentState({ amount: Number(r.amount), voidedAt: r.voided_at, refunded: Number(r.refunded) }));
  expect([...new Set(states)].sort()).toEqual(['partially_refunded', 'refunded', 'succeeded', 'voided']);
  expect(payments.some((r) => r.voided_by !== null) && payments.some((r) => r.voided_at !== null && r.voided_by === null)).toBe(true);

  const plans = await conn.execute<any[]>(
    `select p.id, p.invoice_id, i.number as invoice_number, i.status as invoice_status, i.contact_id, c.name as contact_name, p.seq, p.date::text as date, p.amount::text as amount, i.currency, p.method
     from planned_payments p left join invoices i on i.id = p.invoice_id left join contacts c on c.id = i.contact_id where p.tenant_id = ? order by p.date asc, p.id asc`,
    [tenantId],
  );
  const planCsv =
    csvLine(PLANNED_PAYMENT_CSV_COLUMNS) +
    plans.map((r) => csvLine([r.id, r.invoice_id, r.invoice_number, r.invoice_status, r.contact_id, r.contact_name, r.seq + 1, r.date, majorUnits(r.amount, r.currency), r.currency, r.method])).join('');
  expect(await text('/v1/payment-plans.csv')).toBe(planCsv);

  // Filters go into the COPY as literals escaped by the query builder: quotes, backslashes, question marks.
  expect(await text(`/v1/invoices.csv?q=${encodeURIComponent('Say "hi"')}`)).toBe(csvLine(INVOICE_CSV_COLUMNS) + invoiceLines.find((l) => l.includes('Say ""hi""')));
  for (const q of [`it's`, `x'); drop table invoices; --`, '?', '\\', '%', '_']) {
    const found = await text(`/v1/payments.csv?q=${encodeURIComponent(q)}`);
    expect([q, found.split('\r\n').length - 2]).toEqual([q, payments.filter((r) => [r.reference, r.contact_name, r.invoice_number].some((v) => v?.toLowerCase().includes(q))).length]);
  }
  // A filter that matches nothing: the header alone.
  expect(await text(`/v1/invoices.csv?contactId=${randomUUID()}`)).toBe(csvLine(INVOICE_CSV_COLUMNS));
  expect(await text('/v1/payments.csv?method=check')).toBe(csvLine(PAYMENT_CSV_COLUMNS));
  expect(await text('/v1/payments.csv?source=stripe')).toBe(csvLine(PAYMENT_CSV_COLUMNS) + payments.filter((r) => r.source === 'stripe').map(paymentLine).join(''));
  expect(await text(`/v1/payment-plans.csv?invoiceId=${randomUUID()}`)).toBe(csvLine(PLANNED_PAYMENT_CSV_COLUMNS));
  const plain = invoices.findIndex((r) => r.contact_name === 'Plain');
  expect(await text(`/v1/invoices.csv?contactId=${invoices[plain].contact_id}`)).toBe(csvLine(INVOICE_CSV_COLUMNS) + invoiceLines[plain]);
});

test('a client that goes away mid-export gives the pooled connection back (a pool of one serves the next export)', async () => {
  const ROWS = 100_000;
  const orm = await createOrm(process.env.DATABASE_URL!, { pool: { min: 0, max: 1 } });
  const app = await buildApp({ ...stack.process, orm, redis: stack.redis });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const { tenantId, apiKey } = await createTestTenant(stack);
    const conn = stack.orm.em.getConnection();
    await conn.execute(`insert into contacts (id, tenant_id, name, created_at, updated_at) values (gen_random_uuid(), ?, 'Bulk Buyer', now(), now())`, [tenantId]);
    await conn.execute(
      `insert into invoices (id, tenant_id, number, contact_id, currency, issue_date, due_date, line_items, total, paid, due, status, created_at, updated_at)
       select gen_random_uuid(), ?, 'ABORT-' || lpad(g::text, 6, '0'), (select id from contacts where tenant_id = ?), 'USD', date '2026-11-01', date '2026-12-01', '[]'::jsonb, g, 0, g, 'open', now(), now()
       from generate_series(1, ${ROWS}) g`,
      [tenantId, tenantId],
    );
    const pool = orm.em.getConnection().getKnex().client.pool as { numUsed(): number; numPendingAcquires(): number };
    const copies = async () =>
      Number(
        (await conn.execute(`select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query like 'copy (select%'`))[0]
          .n,
      );
    const until = async (what: string, check: () => Promise<boolean> | boolean) => {
      const deadline = Date.now() + 10_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const open = () =>
      new Promise<IncomingMessage>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/v1/invoices.csv', headers: { authorization: `Bearer ${apiKey}` } }, resolve).on('error', reject);
      });

    for (let attempt = 0; attempt < 2; attempt++) {
      // Read one chunk, then stop reading: the COPY waits on backpressure, holding the only connection.
      const res = await open();
      expect(res.statusCode).toBe(200);
      await new Promise((resolve) => res.once('data', resolve));
      res.pause();
      await until('the COPY to be running', async () => (await copies()) === 1);
      expect(pool.numUsed()).toBe(1);
      res.destroy(); // the client goes away mid-export
      await until('the connection back in the pool', () => pool.numUsed() === 0);
      await until('the COPY to end on the server', async () => (await copies()) === 0);
    }

    // The pool of one serves a whole export afterwards (a leaked connection would time this out).
    const res = await open();
    expect(res.statusCode).toBe(200);
    let lines = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    expect(lines).toBe(ROWS + 1);
    expect([pool.numUsed(), pool.numPendingAcquires()]).toEqual([0, 0]);
  } finally {
    await app.close();
    await orm.close();
  }
});
