/**
 * `npm run bench` (via scripts/bench.sh): runs the bench sections in order on the local services,
 * prints one aligned table and writes the rows to .data/bench/latest.json. Exits non-zero when a
 * section throws (after the others ran). `npm run bench -- webhooks` runs only the named sections.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchRow, BenchSection } from './types';
import { onEngines, withoutEngineArgs } from './engines';
import { run as core } from './core';
import { run as corrections } from './corrections';
import { run as reminders } from './reminders';
import { run as webhooks } from './webhooks';
import { run as exportsBench } from './exports';
import { run as web } from './web';
import { run as readModel } from './read-model';
import { run as live } from './live';
import { run as load } from './load';

const ALL_SECTIONS: { name: string; run: BenchSection }[] = [
  { name: 'core', run: core },
  { name: 'load', run: load },
  { name: 'corrections', run: corrections },
  { name: 'reminders', run: reminders },
  { name: 'webhooks', run: webhooks },
  { name: 'exports', run: exportsBench },
  { name: 'web', run: web },
  { name: 'read-model', run: readModel },
  { name: 'live', run: live },
];
const wanted = withoutEngineArgs(process.argv.slice(2));
const SECTIONS = wanted.length ? ALL_SECTIONS.filter((s) => wanted.includes(s.name)) : ALL_SECTIONS;

interface SectionResult {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  ms: number;
  error?: string;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return n.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 3);
}

function printTable(rows: BenchRow[]): void {
  const header = ['section', 'metric', 'value', 'reference', 'ratio', 'note'];
  const lines = rows.map((r) => [
    r.section,
    r.metric,
    Number.isNaN(r.value) ? '-' : `${fmt(r.value)} ${r.unit}`.trim(),
    r.reference ? `${r.reference.label}: ${fmt(r.reference.value)}` : '',
    r.ratio === undefined ? '' : fmt(r.ratio),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (i === header.length - 1 ? 0 : l[i].length))));
  const align = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 2 || i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(align(header));
  console.log(align(widths.map((w, i) => '-'.repeat(i === header.length - 1 ? 4 : w))));
  for (const l of lines) console.log(align(l));
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const rows: BenchRow[] = [];
  const results: SectionResult[] = [];

  for (const spec of SECTIONS) {
    const t = performance.now();
    console.error(`[bench] ${spec.name} ...`);
    try {
      const got = await onEngines(spec.run);
      rows.push(...got);
      results.push({ name: spec.name, status: 'ok', ms: performance.now() - t });
      console.error(`[bench] ${spec.name}: ok (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    } catch (err) {
      const e = err as Error & { rows?: unknown };
      // A section may attach the rows it measured before failing.
      if (Array.isArray(e.rows)) rows.push(...(e.rows as BenchRow[]));
      const message = e?.message ?? String(err);
      rows.push({ section: spec.name, metric: '-', value: NaN, unit: '', note: `FAILED: ${message.split('\n')[0]}` });
      results.push({ name: spec.name, status: 'failed', ms: performance.now() - t, error: e?.stack ?? message });
      console.error(`[bench] ${spec.name}: FAILED\n${e?.stack ?? message}`);
    }
  }

  const maxRssKb = process.resourceUsage().maxRSS;
  console.log('');
  printTable(rows);
  console.log('');
  console.log(`peak RSS ${(maxRssKb / 1024).toFixed(1)} MiB (bench process, all sections)   node ${process.version}`);

  const out = join(__dirname, '..', '.data', 'bench', 'latest.json');
  mkdirSync(join(out, '..'), { recursive: true });
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    maxRssKb,
    sections: results,
    // NaN (skipped/failed placeholder rows) is not JSON: write null
    rows: rows.map((r) => ({ ...r, value: Number.isFinite(r.value) ? r.value : null })),
  };
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`rows written to ${out}`);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything should be closed by now; if a section leaked a handle, do not hang forever.
    setTimeout(() => {
      console.error('[bench] process still alive 10 s after the end (a section left a handle open): exiting');
      process.exit(code);
    }, 10_000).unref();
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
