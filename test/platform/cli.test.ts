import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useTestStack } from '../support/stack';
import { countWhere } from '../support/api';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

const stack = useTestStack({ worker: false });

async function cli(...args: string[]): Promise<any> {
  const { stdout } = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, env: process.env, timeout: 30_000 });
  const last = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last);
}

async function cliFails(...args: string[]): Promise<{ code: number; last: any }> {
  try {
    await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, env: process.env, timeout: 30_000 });
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, last: JSON.parse(e.stdout.trim().split('\n').at(-1)!) };
  }
  throw new Error('the command succeeded');
}

const get = (apiKey: string, url = '/v1/invoices') =>
  stack.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}` } }).then((r) => ({ status: r.statusCode, body: r.json() }));

test('tenants create → a working key; set-plan starter → 403; keys revoke → 401', async () => {
  const created = await cli('tenants', 'create', '--name', 'CLI Corp', '--plan', 'professional');
  expect(created).toEqual({ tenantId: expect.any(String), apiKey: expect.stringMatching(/^pc_/) });
  expect(await countWhere(stack, 'tenants', "id = ? and plan = 'professional' and name = 'CLI Corp'", [created.tenantId])).toBe(1);
  const ok = await get(created.apiKey);
  expect(ok).toEqual({ status: 200, body: { data: [], nextCursor: null } });
  const contact = await stack.app.inject({ method: 'POST', url: '/v1/contacts', payload: { name: 'via CLI key' }, headers: { authorization: `Bearer ${created.apiKey}` } });
  expect(contact.statusCode).toBe(201);
  expect(await countWhere(stack, 'contacts', 'tenant_id = ?', [created.tenantId])).toBe(1);

  // a second key for the same tenant
  const second = await cli('keys', 'create', '--tenant', created.tenantId);
  expect(second).toMatchObject({ tenantId: created.tenantId, keyId: expect.any(String), apiKey: expect.stringMatching(/^pc_/) });
  expect((await get(second.apiKey)).status).toBe(200);
  const keys = await cli('keys', 'list', '--tenant', created.tenantId);
  expect(keys).toHaveLength(2);

  expect(await cli('tenants', 'set-plan', '--tenant', created.tenantId, '--plan', 'starter')).toEqual({ tenantId: created.tenantId, plan: 'starter' });
  const gated = await get(created.apiKey);
  expect(gated.status).toBe(403);
  expect(gated.body.error.code).toBe('plan_required');

  await cli('tenants', 'set-plan', '--tenant', created.tenantId, '--plan', 'enterprise');
  expect((await get(created.apiKey)).status).toBe(200);

  const revoked = await cli('keys', 'revoke', '--key', keys[0].id);
  expect(revoked).toEqual({ revoked: 1 });
  const denied = await get(created.apiKey);
  expect(denied.status).toBe(401);
  expect(denied.body.error.code).toBe('unauthorized');
  // the other key still works
  expect((await get(second.apiKey)).status).toBe(200);
}, 120_000);

test('tenants create --currency sets the default currency of payments without one (USD when left out)', async () => {
  const eur = await cli('tenants', 'create', '--name', 'Euro GmbH', '--plan', 'professional', '--currency', 'EUR');
  expect(await countWhere(stack, 'tenants', "id = ? and default_currency = 'EUR'", [eur.tenantId])).toBe(1);
  const usd = await cli('tenants', 'create', '--name', 'Dollar Inc', '--plan', 'professional');
  expect(await countWhere(stack, 'tenants', "id = ? and default_currency = 'USD'", [usd.tenantId])).toBe(1);
  const bad = await cliFails('tenants', 'create', '--name', 'Nocur', '--plan', 'professional', '--currency', 'XOI');
  expect(bad.last.error.code).toBe('invalid_currency');
  expect(await countWhere(stack, 'tenants', "name = 'Nocur'", [])).toBe(0);
}, 60_000);

test('bad CLI input exits non-zero with a JSON error line and creates nothing', async () => {
  const bad = await cliFails('tenants', 'create', '--name', 'Nope', '--plan', 'platinum');
  expect(bad.code).not.toBe(0);
  expect(bad.last.error.code).toBe('invalid_plan');
  expect(await countWhere(stack, 'tenants', "name = 'Nope'", [])).toBe(0);
  const missing = await cliFails('tenants', 'set-plan', '--plan', 'starter');
  expect(missing.last.error.code).toBe('missing_option');
}, 60_000);
