/**
 * `npm run bench -- core --engines dev,server`: every selected section runs once per Temporal engine,
 * TEMPORAL_ADDRESS taken from PC_ENGINE_ADDRESS_<ENGINE> (scripts/bench.sh starts both engines and
 * exports them). Rows are labelled `section@engine` and interleaved, so each metric's figures on the
 * engines stand on adjacent lines.
 */
import type { BenchRow, BenchSection } from './types';

function engineList(argv: string[]): string[] {
  const i = argv.findIndex((a) => a === '--engines' || a.startsWith('--engines='));
  if (i < 0) return [];
  const value = argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : (argv[i + 1] ?? '');
  return value.split(',').map((e) => e.trim()).filter(Boolean);
}

/** The section names in argv, without `--engines LIST`. */
export function withoutEngineArgs(argv: string[]): string[] {
  return argv.filter((a, i) => !(a === '--engines' || a.startsWith('--engines=') || argv[i - 1] === '--engines'));
}

const ENGINES = engineList(process.argv.slice(2));

/** Runs `run` once per engine named by --engines (or once, as is, without it); a failure on one engine does not skip the others. */
export async function onEngines(run: BenchSection): Promise<BenchRow[]> {
  if (ENGINES.length === 0) return run();
  const original = process.env.TEMPORAL_ADDRESS;
  const perEngine: BenchRow[][] = [];
  const failures: string[] = [];
  try {
    for (const engine of ENGINES) {
      const address = process.env[`PC_ENGINE_ADDRESS_${engine.toUpperCase()}`];
      if (!address) throw new Error(`no address for engine '${engine}' (PC_ENGINE_ADDRESS_${engine.toUpperCase()}; run through npm run bench)`);
      process.env.TEMPORAL_ADDRESS = address;
      console.error(`[bench] ... on engine ${engine} (${address})`);
      const label = (rows: BenchRow[]) => rows.map((r) => ({ ...r, section: `${r.section}@${engine}` }));
      try {
        perEngine.push(label(await run()));
      } catch (err) {
        // A section may attach the rows it measured before failing (see run.ts).
        const e = err as Error & { rows?: BenchRow[] };
        perEngine.push(label(Array.isArray(e.rows) ? e.rows : []));
        failures.push(`${engine}: ${e.message}`);
        console.error(`[bench] ... on engine ${engine}: FAILED\n${e.stack ?? e.message}`);
      }
    }
  } finally {
    process.env.TEMPORAL_ADDRESS = original;
  }
  const rows = interleave(perEngine);
  if (failures.length) throw Object.assign(new Error(failures.join('; ')), { rows });
  return rows;
}

function interleave(lists: BenchRow[][]): BenchRow[] {
  const out: BenchRow[] = [];
  for (let i = 0; i < Math.max(0, ...lists.map((l) => l.length)); i++) for (const l of lists) if (l[i]) out.push(l[i]);
  return out;
}
