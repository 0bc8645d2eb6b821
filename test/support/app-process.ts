import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readerUrlFor } from './reader-role.js';
import { waitFor } from './wait.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type AppName = 'ingest' | 'projector' | 'timeline-api' | 'cli';

/** A built app running as a real child process (for e2e and fault tests). */
export interface RunningApp {
  readonly name: AppName;
  readonly child: ChildProcess;
  /** Base URL (http://127.0.0.1:port) once the app logged where it listens. */
  readonly url: string;
  /** Everything the process wrote so far. */
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after `timeoutMs`). Resolves with the exit code/signal. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL now. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * Spawns `apps/<name>/dist/main.js` (built by `npm test`) with `env` and waits until it reports
 * its listening URL (port 0 picks a free port) and answers /health with 200.
 */
export async function startApp(
  name: Exclude<AppName, 'cli'>,
  env: Record<string, string>,
  opts: { waitHealthy?: boolean } = {},
): Promise<RunningApp> {
  // The read side never writes: on the shared database every timeline API runs as a read-only role.
  if (name === 'timeline-api' && env.DATABASE_URL && env.DATABASE_URL === process.env.DATABASE_URL && env.DATABASE_SCHEMA) {
    env = { ...env, DATABASE_URL: await readerUrlFor(env.DATABASE_URL, env.DATABASE_SCHEMA) };
  }
  const child = spawn(process.execPath, [path.join(ROOT, 'apps', name, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: env.LOG_LEVEL === 'warn' ? 'info' : (env.LOG_LEVEL ?? 'info') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      r({ code, signal });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  const url = await waitFor(
    `${name} to listen`,
    () => {
      if (done) throw new Error(`${name} exited during start-up:\n${out.slice(-3000)}`);
      const m = /"url":"(http:\/\/[^"]+)","msg":"[a-z-]+ listening"/.exec(out);
      return m?.[1];
    },
    60_000,
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n--- ${name} output ---\n${out.slice(-3000)}`);
  });
  if (opts.waitHealthy ?? true) {
    await waitFor(`${name} /health`, async () => ((await fetch(`${url}/health`)).status === 200 ? true : undefined), 60_000);
  }
  return {
    name,
    child,
    url,
    output: () => out,
    stop: async (timeoutMs = 15_000) => {
      if (!done) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    kill: async () => {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'apps', 'cli', 'dist', 'main.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
