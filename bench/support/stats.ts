/** Percentile (nearest-rank) of unsorted samples; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** p50/p95/p99/max/mean of latency samples in ms. */
export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.length ? Math.max(...samples) : NaN,
    mean: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : NaN,
  };
}

export function ms(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v < 10 ? `${v.toFixed(2)} ms` : v < 100 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

export function rate(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return `${Math.round(v).toLocaleString('en-US')}/s`;
}

export function mib(bytes: number): string {
  return bytes > 0 ? `${Math.round(bytes / 1048576)} MiB` : 'n/a';
}

export function ratio(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
}
