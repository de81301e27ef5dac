/**
 * Read-model bench: the lists, the search and the receivables summary of the million-invoice tenant
 * (bench/seed.ts), over HTTP against the API listening on a free port (keep-alive fetch, one request
 * at a time). Each query is timed on its first page and on its hundredth (reached by following 99
 * cursors once, then requested again and again), p50/p99 over BENCH_READ_REPS requests each after
 * BENCH_READ_WARMUP untimed ones.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { buildApp } from '../api/app';
import { createOrm } from '../db/orm';
import { scopeOf } from '../services/context';
import { createApiKey } from '../services/tenants';
import { SEED_INVOICES, seedTenant } from './seed';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'read-model';
// 100: with 30 the p99 was the slowest request of the 30, so a single GC pause decided a row.
const REPS = Number(process.env.BENCH_READ_REPS ?? 100);
/** Requests before timing each query (JIT and plan caches warm, as in an API that keeps serving). */
const WARMUP = Number(process.env.BENCH_READ_WARMUP ?? 10);
/** The page timed besides the first (page 100 = after 99 cursors). */
const DEEP_PAGE = Number(process.env.BENCH_READ_DEEP_PAGE ?? 100);
/** Only the queries whose name matches this regular expression (e.g. BENCH_READ_ONLY='q='). */
const ONLY = process.env.BENCH_READ_ONLY;
const SEARCH_BUDGET_MS = 50;
const LIST_BUDGET_MS = 20;
const SUMMARY_BUDGET_MS = 50;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (n: number) => Math.round(n * 10) / 10;

interface Query {
  name: string;
  path: string;
  budget: number;
  /** Time the deep page too (lists; not the summary). */
  deep: boolean;
}

export const run: BenchSection = async () => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (run through npm run bench)');
  const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 10 } });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:56379', { maxRetriesPerRequest: null });
  const processDeps = {
    orm,
    temporal: {} as never,
    // The bench sends far more than a tenant's per-minute budget.
    config: { TEMPORAL_TASK_QUEUE: 'bench-read-model', PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: randomBytes(32).toString('hex'), RATE_LIMIT_PER_MINUTE: 100_000_000 },
  };
  const app = await buildApp({ ...processDeps, redis });
  try {
    const seeded = performance.now();
    const tenantId = await seedTenant(processDeps, (line) => console.error(`[bench:${SECTION}] ${line}`));
    const seedSeconds = (performance.now() - seeded) / 1000;
    const { apiKey } = await createApiKey(scopeOf(processDeps), tenantId);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const get = async (path: string): Promise<{ ms: number; body: { data: { id: string }[]; nextCursor?: string | null } }> => {
      const started = performance.now();
      const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = (await res.json()) as { data: { id: string }[]; nextCursor?: string | null };
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
      return { ms, body };
    };

    // Filter values picked from the seeded rows themselves.
    const sql = orm.em.fork().getConnection();
    const [{ contact_id: contactId, id: invoiceId }] = await sql.execute<{ contact_id: string; id: string }[]>(
      `select contact_id, id from invoices where tenant_id = ? and status = 'paid' order by id limit 1`,
      [tenantId],
    );
    const [{ d: today }] = await sql.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
    const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

    const search = (q: string): Query => ({ name: `invoices q=${q}`, path: `/v1/invoices?q=${encodeURIComponent(q)}`, budget: SEARCH_BUDGET_MS, deep: false });
    const list = (resource: string, query: string): Query => ({ name: `${resource}${query ? ` ${query}` : ''}`, path: `/v1/${resource}${query ? `?${query}` : ''}`, budget: LIST_BUDGET_MS, deep: true });
    const queries: Query[] = [
      // The floor: the same auth, scope and serialization around an index probe that finds nothing.
      { name: 'floor: invoices of a contact that does not exist', path: '/v1/invoices?contactId=00000000-0000-4000-8000-000000000000', budget: LIST_BUDGET_MS, deep: false },
      // search: an exact number, a number substring (~1,000 hits), one contact (500), 11 contacts by a case-insensitive prefix, nothing at all
      search('B0123456'),
      search('01234'),
      search('Contact 1234'),
      search('contact 12'),
      search('nobody'),
      list('invoices', ''),
      ...['open', 'overdue', 'paid', 'void'].map((s) => list('invoices', `status=${s}`)),
      list('invoices', `contactId=${contactId}`),
      list('invoices', `issueDateFrom=${day(-120)}&issueDateTo=${day(-90)}`),
      list('invoices', `dueDateFrom=${day(-30)}&dueDateTo=${day(0)}`),
      ...['dueDate', '-dueDate', 'total', '-total', 'status'].map((s) => list('invoices', `sort=${s}`)),
      list('invoices', 'status=paid&sort=-dueDate'),
      list('invoices', `status=overdue&dueDateTo=${day(-60)}&sort=dueDate`),
      list('invoices', `contactId=${contactId}&sort=-total`),
      list('payments', ''),
      list('payments', `contactId=${contactId}`),
      list('payments', `invoiceId=${invoiceId}`),
      list('payments', 'method=card'),
      list('payments', 'source=manual'),
      list('payments', `dateFrom=${day(-60)}&dateTo=${day(-30)}`),
      list('payment-plans', ''),
      list('payment-plans', `contactId=${contactId}`),
      list('payment-plans', `invoiceId=${invoiceId}`),
      ...['open', 'overdue', 'paid'].map((s) => list('payment-plans', `invoiceStatus=${s}`)),
      list('payment-plans', 'method=card'),
      list('payment-plans', `dateFrom=${day(0)}&dateTo=${day(30)}`),
      { name: 'invoices/summary', path: '/v1/invoices/summary', budget: SUMMARY_BUDGET_MS, deep: false },
      { name: 'invoices/summary status=overdue', path: '/v1/invoices/summary?status=overdue', budget: SUMMARY_BUDGET_MS, deep: false },
    ].filter((q) => !ONLY || new RegExp(ONLY).test(q.name));

    const rows: BenchRow[] = [];
    const time = async (path: string) => {
      for (let i = 0; i < WARMUP; i++) await get(path);
      const ms: number[] = [];
      for (let i = 0; i < REPS; i++) ms.push((await get(path)).ms);
      return ms;
    };
    const row = (q: Query, page: string, ms: number[], extra = '') => {
      const p99 = percentile(ms, 99);
      rows.push({
        section: SECTION,
        metric: `${q.name}${page}, p99`,
        value: round(p99),
        unit: 'ms',
        reference: { label: 'budget', value: q.budget },
        ratio: Math.round((p99 / q.budget) * 100) / 100,
        note: `p50 ${round(percentile(ms, 50))} ms over ${ms.length}${extra}`,
      });
      console.error(`[bench:${SECTION}] ${q.name}${page}: p50 ${round(percentile(ms, 50))} p99 ${round(p99)} ms`);
    };
    for (const q of queries) {
      row(q, '', await time(q.path));
      if (!q.deep) continue;
      // Follow the cursors to the deep page once; a list with fewer pages is timed on its last.
      let path = q.path;
      let pageNo = 1;
      for (; pageNo < DEEP_PAGE; pageNo++) {
        const { body } = await get(path);
        if (!body.nextCursor) break;
        path = `${q.path}${q.path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(body.nextCursor)}`;
      }
      if (pageNo > 1) row(q, `, page ${pageNo}`, await time(path));
    }
    const note = `${SEED_INVOICES.toLocaleString('en-US')} invoices${seedSeconds > 5 ? `, seeded in ${seedSeconds.toFixed(0)} s` : ''}`;
    rows.push({ section: SECTION, metric: 'queries timed', value: queries.length, unit: '', note });
    return rows;
  } finally {
    await app.close();
    await redis.quit();
    await orm.close();
  }
};
