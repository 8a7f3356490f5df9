/** Percentiles and run-to-run summaries. */

/** The q-quantile (0..1) of an ascending array, nearest-rank; Infinity entries stand for lost messages. */
export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export interface Summary {
  runs: number[];
  median: number;
  min: number;
  max: number;
  /** Half the range as a fraction of the median: the "±" printed next to a value. */
  spread: number;
}

/** Unmeasured values (NaN, or null after a JSON round trip from a child process) are left out. */
export function summarize(values: ReadonlyArray<number | null>): Summary | undefined {
  const runs = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  if (runs.length === 0) return undefined;
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const spread = Number.isFinite(max) && Number.isFinite(min) && median > 0 ? (max - min) / 2 / median : 0;
  return { runs, median, min, max, spread };
}
