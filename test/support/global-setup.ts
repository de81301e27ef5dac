/**
 * Runs once before all test files: migrates the test database and bundles the workflow code once
 * (each test worker loads the bundle instead of re-running webpack).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createOrm, migrate } from '../../db/orm';
import { workflowBundleOptions } from '../../worker/create-worker';

export const WORKFLOW_BUNDLE_PATH = join(__dirname, '..', '..', '.data', 'test', 'workflow-bundle.js');

export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !/_test\b/.test(url)) throw new Error(`tests need DATABASE_URL pointing at a *_test database (got ${url}); run them with npm test`);
  const orm = await createOrm(url);
  await migrate(orm);
  await orm.close();
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never });
  mkdirSync(join(__dirname, '..', '..', '.data', 'test'), { recursive: true });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
}
