/** `npx payment-center sessions link`: a one-time sign-in URL for the web app, redeemed once. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectError } from '../support/api';
import { createTestTenant, useTestStack } from '../support/stack';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const stack = useTestStack({ worker: false });

const cli = async (...args: string[]) => {
  const { stdout } = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, env: process.env, timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
};

test('sessions link prints a sign-in URL that opens one session', async () => {
  const t = await createTestTenant(stack);
  const printed = await cli('sessions', 'link', '--tenant', t.tenantId);
  expect(printed).toEqual({ tenantId: t.tenantId, url: expect.stringMatching(/\/app\/sign-in#token=pcl_[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
  const minutes = (Date.parse(printed.expiresAt) - Date.now()) / 60_000;
  expect(minutes).toBeGreaterThan(14);
  expect(minutes).toBeLessThanOrEqual(15);
  const signInToken = printed.url.split('#token=')[1];
  const first = await stack.app.inject({ method: 'POST', url: '/v1/session', payload: { signInToken } });
  expect(first.statusCode).toBe(201);
  expect(first.json().tenant.id).toBe(t.tenantId);
  const again = await stack.app.inject({ method: 'POST', url: '/v1/session', payload: { signInToken } });
  expectError({ status: again.statusCode, body: again.json() }, 401, 'unauthorized');
});

test('sessions link for an unknown tenant fails with not_found', async () => {
  const failed = await cli('sessions', 'link', '--tenant', '0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b').catch((err: { code: number; stdout: string }) => ({ code: err.code, last: JSON.parse(err.stdout.trim().split('\n').at(-1)!) }));
  expect(failed).toEqual({ code: 1, last: { error: { code: 'not_found', message: expect.any(String) } } });
});
