/**
 * The app's first load stays within 250 KB of gzipped JavaScript: every script index.html loads or
 * preloads, measured in the build that npm test serves (scripts/install.sh builds web/dist).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { WEB_DIST } from '../../api/web';

const BUDGET_BYTES = 250 * 1024;

const firstLoadScripts = (page: string) =>
  [...readFileSync(path.join(WEB_DIST, page), 'utf8').matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g)].map((m) => m[1]);

test.each(['index.html', 'pay.html'])('%s loads at most 250 KB of gzipped JavaScript', (page) => {
  const scripts = firstLoadScripts(page);
  expect(scripts.length).toBeGreaterThan(0);
  const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(WEB_DIST, file)), { level: 9 }).length, 0);
  expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
});
