import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, freePort, type BenchRun } from './bench-run.js';

/** A process under measurement. */
export interface MeasuredProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly logFile: string;
  /** Peak resident set size so far (Linux VmHWM), in bytes. */
  peakRss(): number;
  /** SIGTERM, wait for exit; returns the peak RSS read just before the signal. */
  stop(timeoutMs?: number): Promise<number>;
  exited(): boolean;
}

const PORT_VARS: Record<string, string> = {
  ingest: 'INGEST_PORT',
  projector: 'PROJECTOR_PORT',
  'timeline-api': 'API_PORT',
};

/** Options of {@link startProcess}. */
export interface StartOptions {
  /** Extra node flags (e.g. `--import` of a preload). */
  readonly nodeArgs?: string[];
  /** Wait for `GET /health` = 200. @default true */
  readonly waitHealthy?: boolean;
  /** Port variable the process listens on (for scripts that are not one of the apps). */
  readonly portVar?: string;
}

/** Peak RSS (VmHWM) of a live process in bytes, 0 when unknown (not Linux, already gone). */
export function peakRssOf(pid: number | undefined): number {
  return statusKiB(pid, 'VmHWM') * 1024;
}

/** Resident set size now (VmRSS) of a live process in bytes, 0 when unknown. */
export function rssOf(pid: number | undefined): number {
  return statusKiB(pid, 'VmRSS') * 1024;
}

function statusKiB(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  if (!pid) return 0;
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a live process has used so far; 0 when unknown. Linux USER_HZ is 100. */
export function cpuSecondsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Spawns a built app (`apps/<name>/dist/main.js`) or any script as a real process on a free port,
 * with its output in a log file of the run, and waits for /health. `BENCH_CPU_PROF=1` adds
 * `--cpu-prof` (profiles land in `bench/dist/profiles/`).
 */
export async function startProcess(run: BenchRun, label: string, script: string, env: Record<string, string>, opts: StartOptions = {}) {
  const portVar = opts.portVar ?? PORT_VARS[label] ?? 'API_PORT';
  const port = await freePort();
  const logFile = path.join(run.workDir, `${label}.log`);
  const out = fs.openSync(logFile, 'a');
  const nodeArgs = [...(opts.nodeArgs ?? [])];
  if (process.env.BENCH_CPU_PROF === '1') {
    const dir = path.join(ROOT, 'bench', 'dist', 'profiles');
    fs.mkdirSync(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${run.name}-${label}-${Date.now()}.cpuprofile`);
  }
  const child = spawn(process.execPath, [...nodeArgs, path.resolve(ROOT, script)], {
    env: { PATH: process.env.PATH ?? '', ...env, [portVar]: String(port) },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let gone = false;
  let lastPeak = 0;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const peakRss = () => {
    const v = peakRssOf(child.pid);
    if (v > 0) lastPeak = v;
    return lastPeak;
  };
  const proc: MeasuredProcess = {
    label,
    child,
    url: `http://127.0.0.1:${port}`,
    logFile,
    peakRss,
    exited: () => gone,
    stop: async (timeoutMs = 20_000) => {
      const peak = peakRss();
      if (!gone) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(t);
      return peak;
    },
  };
  run.onClose(() => proc.stop());
  if (opts.waitHealthy ?? true) {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (gone) throw new Error(`${label} exited during start-up; see ${logFile}:\n${tail(logFile)}`);
      const ok = await fetch(`${proc.url}/health`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${label} did not become healthy in 90 s; see ${logFile}:\n${tail(logFile)}`);
      await sleep(100);
    }
  }
  return proc;
}

/** Starts `apps/<name>/dist/main.js`. */
export function startApp(
  run: BenchRun,
  name: 'ingest' | 'projector' | 'timeline-api',
  env: Record<string, string>,
  opts: StartOptions = {},
) {
  return startProcess(run, name, path.join('apps', name, 'dist', 'main.js'), env, opts);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `probe` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
