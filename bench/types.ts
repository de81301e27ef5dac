/** One line of `npm run bench`: a measured figure next to the raw reference it is compared with. */
export interface BenchRow {
  section: string;
  metric: string;
  value: number;
  unit: string;
  /** The same operation done raw (bare Temporal call, bare queue, bare route) on the same server. */
  reference?: { label: string; value: number };
  /** value / reference.value (or the inverse for throughputs; say which in `note`). */
  ratio?: number;
  note?: string;
}

/** Each bench module exports `run()`; bench/run.ts runs them in turn on the same local services. */
export type BenchSection = () => Promise<BenchRow[]>;
