/**
 * CSV export throughput: GET /v1/invoices.csv of 100,000 invoices (seeded in SQL) over real HTTP
 * through the whole app (auth, filters, keyset batches, CSV), against a raw read of the same rows
 * and columns in one plain query on the same Postgres (the floor: no HTTP, no CSV). The tenant is
 * deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app';
import { createOrm } from '../db/orm';
import { createTenant } from '../services/tenants';
import { scopeOf, type ProcessDeps } from '../services/context';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'exports';
const ROWS = 100_000;

export const run: BenchSection = async () => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set; run the bench with npm run bench');
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 10 } });
    closers.push(() => orm.close());
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
    closers.push(() => connection.close());
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:56379', { lazyConnect: true, maxRetriesPerRequest: null });
    closers.push(async () => redis.disconnect());
    const processDeps: ProcessDeps = {
      orm,
      temporal: new Client({ connection, namespace: 'default' }),
      config: { TEMPORAL_TASK_QUEUE: 'bench-exports', PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: randomBytes(32).toString('hex') },
    };
    const app = await buildApp({ ...processDeps, redis });
    await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;

    const { tenantId, apiKey } = await createTenant(scopeOf(processDeps), { name: `bench-exports-${new Date().toISOString()}`, plan: 'professional' });
    const conn = orm.em.getConnection();
    // The tenant and its rows stay in the bench database: deleting 100,000 invoices checks each one
    // against payments.invoice_id, which has no index of its own (minutes on this machine), as in live.
    await conn.execute(`insert into contacts (id, tenant_id, name, created_at, updated_at) values (gen_random_uuid(), ?, 'Bulk Buyer', now(), now())`, [tenantId]);
    await conn.execute(
      `insert into invoices (id, tenant_id, number, contact_id, currency, issue_date, due_date, line_items, total, paid, due, status, created_at, updated_at)
       select gen_random_uuid(), ?, 'EXP-' || lpad(g::text, 6, '0'), (select id from contacts where tenant_id = ?), 'USD', date '2026-11-01', date '2026-12-01', '[]'::jsonb, g * 100 + 5, 0, g * 100 + 5, 'open', now(), now()
       from generate_series(1, ${ROWS}) g`,
      [tenantId, tenantId],
    );
    await conn.execute('analyze invoices');

    // Reference: the same rows and columns, one plain query, all at once.
    let t = performance.now();
    const raw = await conn.execute<unknown[]>(
      `select i.id, i.number, i.status, i.contact_id, c.name, i.currency, i.total, i.paid, i.credited, i.written_off, i.due, i.issue_date::text, i.due_date::text, i.created_at
       from invoices i left join contacts c on c.id = i.contact_id where i.tenant_id = ? order by i.id desc`,
      [tenantId],
    );
    const rawMs = performance.now() - t;
    if (raw.length !== ROWS) throw new Error(`reference read ${raw.length} rows`);

    t = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/v1/invoices.csv`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
    let lines = 0;
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    const csvMs = performance.now() - t;
    if (lines !== ROWS + 1) throw new Error(`export had ${lines - 1} rows`);

    const csvRate = Math.round((ROWS / csvMs) * 1000);
    const rawRate = Math.round((ROWS / rawMs) * 1000);
    const rows: BenchRow[] = [
      {
        section: SECTION,
        metric: `GET /v1/invoices.csv, ${ROWS} rows over HTTP`,
        value: csvRate,
        unit: 'rows/s',
        reference: { label: 'raw select of the same rows (rows/s)', value: rawRate },
        ratio: Number((rawRate / csvRate).toFixed(2)),
        note: `ratio = raw/export throughput; ${(bytes / 2 ** 20).toFixed(1)} MiB in ${Math.round(csvMs)} ms`,
      },
    ];
    return rows;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
};
