/**
 * End-to-end tests in a real browser: Debian's Chromium (installed by scripts/install.sh, never
 * downloaded here) driven by playwright-core, against the real API listening on a free port — the
 * test stack with its worker and the local fake Stripe, whose Checkout pages send the browser
 * straight back to the success URL.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Tenant } from '../../db/entities';
import { createTenant } from '../../services/tenants';
import { WEB_DIST } from '../../api/web';
import { perFile } from './hooks';
import { createFakeStripeStack, FAKE_STRIPE_KEY, type FakeStripeStack } from './stripe';
import { randomBytes } from 'node:crypto';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots');

export interface WebStack extends FakeStripeStack {
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (its own cookies) at a laptop-sized window, in en-US. */
  newPage(opts?: { width?: number; height?: number }): Promise<Page>;
}

export async function createWebStack(): Promise<WebStack> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error(`${WEB_DIST} is not built: run npm run build:web (scripts/install.sh does)`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/install.sh installs Debian's chromium`);
  const env = await createFakeStripeStack();
  await env.stack.app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(env.stack.app.server.address() as AddressInfo).port}`;
  // Customer links and Checkout return URLs point at this server (the config object is the app's own).
  env.stack.process.config.PUBLIC_BASE_URL = baseUrl;
  // The drill-down links operators to the invoice's workflow in Temporal UI.
  Object.assign(env.stack.process.config, { TEMPORAL_UI_URL: 'http://127.0.0.1:8233', TEMPORAL_NAMESPACE: 'default' });
  env.fake.state.hostedCheckout = true;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  return {
    ...env,
    reset() {
      env.reset();
      env.fake.state.hostedCheckout = true;
    },
    baseUrl,
    browser,
    async newPage({ width = 1280, height = 860 } = {}) {
      const context = await browser.newContext({ baseURL: baseUrl, locale: 'en-US', timezoneId: 'UTC', viewport: { width, height } });
      context.setDefaultTimeout(15_000);
      return context.newPage();
    },
    async close() {
      await browser.close();
      await env.close();
    },
  };
}

/** The browser stack for the whole file (see ./hooks). */
export function useWebStack(): WebStack {
  return perFile(createWebStack, { close: (e) => e.close(), beforeEach: (e) => e.reset() });
}

export type ApiRequest = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** An account with a readable name (it shows in screenshots) and an API-key request helper; `stripe` saves the fake's key. */
export async function createWebTenant(web: WebStack, opts: { name?: string; plan?: string; timeZone?: string; stripe?: boolean } = {}) {
  const { tenantId, apiKey } = await createTenant(web.stack.deps, { name: opts.name ?? 'Northwind Traders', plan: opts.plan ?? 'professional', timeZone: opts.timeZone ?? 'UTC' });
  const request: ApiRequest = async (method, url, body) => {
    const res = await web.stack.app.inject({ method, url, payload: body as never, headers: { authorization: `Bearer ${apiKey}` } });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  let webhookSecret = '';
  if (opts.stripe) {
    webhookSecret = `whsec_${randomBytes(18).toString('hex')}`;
    const res = await request('PUT', '/v1/integrations/stripe', { secretKey: FAKE_STRIPE_KEY, webhookSecret });
    if (res.status !== 200) throw new Error(`stripe: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { tenantId, apiKey, request, webhookSecret };
}

export async function renameTenant(web: WebStack, tenantId: string, name: string) {
  await web.stack.orm.em.fork().nativeUpdate(Tenant, { id: tenantId }, { name });
}

/** Signs in on the sign-in page with an API key, as a person would. */
export async function signIn(page: Page, apiKey: string, path = '/app') {
  await page.goto(path);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The amount next to Total, Credited, Paid, Written off or Due in a page's balance (a description list). */
export const balance = (page: Page, term: 'Total' | 'Credited' | 'Paid' | 'Written off' | 'Due') => page.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');

/** Writes docs/screenshots/<name>.png (the README shows them), once the page has settled. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}
