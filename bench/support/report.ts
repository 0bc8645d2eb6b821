import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { ROOT } from './bench-run.js';
import { mib, ratio as fmtRatio } from './stats.js';

export const DOC = path.join(ROOT, 'docs', 'benchmarks.md');

/** One ratio a benchmark reports, with its bar. */
export interface RatioResult {
  readonly name: string;
  readonly value: number;
  /** Human form of the bar, e.g. `≥ 0.5 (goal 0.7)`; absent for context-only ratios. */
  readonly bar?: string;
  readonly met?: boolean;
}

/** What a benchmark run found. */
export interface BenchResult {
  readonly bench: string;
  readonly n: number;
  /** Labelled absolute figures (printed and written to the history row). */
  readonly figures: readonly [string, string][];
  readonly ratios: readonly RatioResult[];
  /** Peak RSS per measured process (bytes). */
  readonly rss: Readonly<Record<string, number>>;
  /** Extra printed lines (not written to the doc). */
  readonly notes?: readonly string[];
}

/** Machine facts written beside every result. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly postgres: string;
  readonly kafka: string;
}

export async function machineInfo(db: pg.Client): Promise<MachineInfo> {
  const pgVersion = ((await db.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
  let kafka = 'external broker (KAFKA_BROKERS)';
  if (!process.env.KAFKA_BROKERS) {
    const mod = (await import(pathToFileURL(path.join(ROOT, 'tools', 'infra', 'kafka.js')).href)) as {
      KAFKA_VERSION: string;
      runningLayout(): unknown[] | undefined;
    };
    const nodes = mod.runningLayout()?.length ?? 1;
    kafka = `Apache Kafka ${mod.KAFKA_VERSION} (KRaft, ${nodes} node${nodes === 1 ? '' : 's'})`;
  }
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: `PostgreSQL ${pgVersion.split(' ')[0]}`,
    kafka,
  };
}

/** Load averages (1 min) now, for the "was the machine busy?" column. */
export function load(): string {
  return os.loadavg()[0]!.toFixed(2);
}

/** The command that reproduces this run. */
export function command(bench: string): string {
  const script = process.env.npm_lifecycle_event;
  const n = process.env.BENCH_EVENTS ? `BENCH_EVENTS=${process.env.BENCH_EVENTS} ` : '';
  return script && script.startsWith('bench') ? `${n}npm run ${script}` : `${n}node bench/dist/main.js ${bench}`;
}

/** Prints the result and records it in docs/benchmarks.md (history row + latest-results row). */
export function recordResult(r: BenchResult, machine: MachineInfo, loadBefore: string): void {
  const loadAfter = load();
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ') + 'Z';
  const lines = [
    '',
    `=== bench:${r.bench} — N = ${r.n.toLocaleString('en-US')} — ${when} ===`,
    ...r.figures.map(([k, v]) => `  ${k.padEnd(44)} ${v}`),
    ...r.ratios.map(
      (x) => `  ${('RATIO ' + x.name).padEnd(44)} ${fmtRatio(x.value)}${x.bar ? `   bar ${x.bar}: ${x.met ? 'MET' : 'NOT MET'}` : ''}`,
    ),
    ...Object.entries(r.rss).map(([k, v]) => `  ${('peak RSS ' + k).padEnd(44)} ${mib(v)}`),
    `  ${'machine'.padEnd(44)} ${machineText(machine)}`,
    `  ${'load (1 min) before → after'.padEnd(44)} ${loadBefore} → ${loadAfter}`,
    ...(r.notes ?? []).map((n) => `  ${n}`),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (process.env.BENCH_NO_DOC === '1') return;

  const ratiosCell = r.ratios
    .map((x) => `${x.name} **${fmtRatio(x.value)}**${x.bar ? ` (bar ${x.bar}: ${x.met ? 'met' : '**not met**'})` : ''}`)
    .join('<br>');
  const figuresCell = r.figures.map(([k, v]) => `${k}: ${v}`).join('<br>');
  const rssCell = Object.entries(r.rss)
    .map(([k, v]) => `${k} ${mib(v)}`)
    .join('<br>');
  const row = `| ${when} | \`${command(r.bench)}\` | ${r.n.toLocaleString('en-US')} | ${figuresCell} | ${ratiosCell} | ${rssCell} | ${loadBefore} → ${loadAfter} | ${machineText(machine)} |`;
  const latest = `| \`bench:${r.bench}\` | ${when} | ${r.n.toLocaleString('en-US')} | ${ratiosCell} | ${rssCell} | ${loadBefore} → ${loadAfter} |`;
  updateDoc((doc) => {
    doc = insertHistoryRow(doc, r.bench, row);
    return replaceLatestRow(doc, r.bench, latest);
  });
}

export function machineText(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.postgres}, ${m.kafka}`;
}

/** Rewrites docs/benchmarks.md through `edit`. */
export function updateDoc(edit: (doc: string) => string): void {
  const doc = fs.readFileSync(DOC, 'utf8');
  fs.writeFileSync(DOC, edit(doc));
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/benchmarks.md has no ${start} … ${end} section`);
  return `${doc.slice(0, a + start.length)}\n${body.trim()}\n${doc.slice(b)}`;
}

function insertHistoryRow(doc: string, bench: string, row: string): string {
  const marker = `<!-- history:${bench} -->`;
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`docs/benchmarks.md has no ${marker} table`);
  // The table follows the marker; append after its last row.
  const lines = doc.slice(at).split('\n');
  let i = 1;
  while (i < lines.length && !lines[i]!.startsWith('|')) i++;
  while (i < lines.length && lines[i]!.startsWith('|')) i++;
  lines.splice(i, 0, row);
  return doc.slice(0, at) + lines.join('\n');
}

function replaceLatestRow(doc: string, bench: string, row: string): string {
  const prefix = `| \`bench:${bench}\` |`;
  const lines = doc.split('\n');
  const i = lines.findIndex((l) => l.startsWith(prefix));
  if (i < 0) throw new Error(`docs/benchmarks.md has no latest-results row for bench:${bench}`);
  lines[i] = row;
  return lines.join('\n');
}
