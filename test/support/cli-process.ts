import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './app-process.js';

/** A CLI command running as a child process that a test can watch and kill (e.g. SIGKILL mid-rebuild). */
export interface RunningCli {
  readonly child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  done(): boolean;
  /** SIGKILL now and wait for the exit. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `apps/cli/dist/main.js <args>` without waiting for it (see `runCli` to run one to completion). */
export function spawnCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [path.join(ROOT, 'apps', 'cli', 'dist', 'main.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let finished = false;
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      finished = true;
      resolve({ code, signal });
    }),
  );
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    child,
    output: () => out,
    exited,
    done: () => finished,
    kill: async () => {
      if (!finished) child.kill('SIGKILL');
      return exited;
    },
  };
}
