/**
 * Web bench: the Invoices tab of a tenant with a million invoices, in Debian's Chromium against the
 * API listening on a free port. Measures the time from navigating to /app until the first page of
 * the table is visible, and until the summary strip (open, overdue, aging) has its figures. The
 * tenant is bench/seed.ts's, inserted once and kept.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { buildApp } from '../api/app';
import { WEB_DIST } from '../api/web';
import { createOrm } from '../db/orm';
import { scopeOf } from '../services/context';
import { createApiKey } from '../services/tenants';
import { SEED_INVOICES, seedTenant } from './seed';
import type { BenchRow, BenchSection } from './types';

const SECTION = 'web';
const INVOICES = SEED_INVOICES;
const LOADS = 5;
const BUDGET_MS = 1_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const run: BenchSection = async () => {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error(`${WEB_DIST} is not built (scripts/install.sh builds it)`);
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (run through npm run bench)');
  const orm = await createOrm(databaseUrl, { pool: { min: 0, max: 10 } });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:56379', { maxRetriesPerRequest: null });
  const processDeps = { orm, temporal: {} as never, config: { TEMPORAL_TASK_QUEUE: 'bench-web', PUBLIC_BASE_URL: 'http://127.0.0.1:3000', PAY_LINK_SECRET: randomBytes(32).toString('hex') } };
  const app = await buildApp({ ...processDeps, redis });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const seeded = performance.now();
    const tenantId = await seedTenant(processDeps, (line) => console.error(`[bench:${SECTION}] ${line}`));
    const seedSeconds = (performance.now() - seeded) / 1000;
    // Each run signs in with a fresh key of the kept tenant.
    const { apiKey } = await createApiKey(scopeOf(processDeps), tenantId);

    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const context = await browser.newContext({ baseURL: baseUrl, locale: 'en-US', viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto('/app');
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table', { name: 'Invoices' }).getByRole('row').nth(25).waitFor({ timeout: 30_000 });

    const table: number[] = [];
    const summary: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const started = performance.now();
      await page.goto('/app');
      await page.getByRole('table', { name: 'Invoices' }).getByRole('row').nth(25).waitFor({ timeout: 30_000 });
      table.push(performance.now() - started);
      await page.getByRole('region', { name: 'Summary' }).getByText('Over 90 days').waitFor({ timeout: 30_000 });
      summary.push(performance.now() - started);
    }
    await context.close();
    const note = `median of ${LOADS} loads, ${INVOICES.toLocaleString('en-US')} invoices${seedSeconds > 5 ? `, seeded in ${seedSeconds.toFixed(0)} s` : ''}`;
    return [
      { section: SECTION, metric: 'invoices tab, first page visible', value: Math.round(median(table)), unit: 'ms', reference: { label: 'budget', value: BUDGET_MS }, ratio: Math.round((median(table) / BUDGET_MS) * 100) / 100, note },
      { section: SECTION, metric: 'invoices tab, summary strip visible', value: Math.round(median(summary)), unit: 'ms', note },
    ] satisfies BenchRow[];
  } finally {
    await browser.close();
    await app.close();
    await redis.quit();
    await orm.close();
  }
};
