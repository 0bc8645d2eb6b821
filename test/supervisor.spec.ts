import { spawn } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_RESTART_POLICY, LastErrorLine, Supervisor, restartDelayMs } from '../tools/supervisor.js';
import { ROOT, processAlive, waitFor } from './support/index.js';

/** A clock whose timers fire only when the test says so. */
class ManualClock {
  t = 1_000_000;
  readonly timers: { fn: () => void; ms: number }[] = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const timer = { fn, ms };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (handle: unknown) => {
    const i = this.timers.indexOf(handle as { fn: () => void; ms: number });
    if (i >= 0) this.timers.splice(i, 1);
  };
  /** Moves time to the next timer and runs it; returns its delay. */
  fireNext(): number {
    const timer = this.timers.shift();
    if (!timer) throw new Error('no timer pending');
    this.t += timer.ms;
    timer.fn();
    return timer.ms;
  }
}

describe('restartDelayMs', () => {
  it('doubles from 1 s and caps at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => restartDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(DEFAULT_RESTART_POLICY.healthyAfterMs).toBe(60_000);
  });
});

describe('LastErrorLine', () => {
  it('prefers the last error/fatal log record (message and error) over plain lines and info records', () => {
    const l = new LastErrorLine();
    l.note('plain start-up line');
    expect(l.line).toBe('plain start-up line');
    l.note(
      JSON.stringify({
        level: 'fatal',
        msg: 'projector stopped on an unrecoverable error',
        err: { message: 'permission denied for table x' },
      }),
    );
    l.note(JSON.stringify({ level: 'info', msg: 'shutting down' }));
    l.note('');
    expect(l.line).toBe('projector stopped on an unrecoverable error: permission denied for table x');
  });
});

describe('Supervisor (real child processes)', () => {
  it('restarts an app that keeps exiting with backoff 1, 2, 4 … 30 s, resets after a run of a minute, and says why', async () => {
    const clock = new ManualClock();
    const logs: string[] = [];
    const supervisor = new Supervisor({ clock, log: (m) => logs.push(m) });
    const pids = new Set<number>();
    supervisor.add({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', "console.error('connect ECONNREFUSED 127.0.0.1:5432'); setTimeout(() => process.exit(3), 50)"],
    });
    const exitLine = (n: number) =>
      waitFor(`exit ${n} reported`, () => logs.filter((m) => m.startsWith('crasher exited')).length >= n || undefined, 10_000, 5);

    const delays: number[] = [];
    for (let n = 1; n <= 7; n++) {
      pids.add(supervisor.pid('crasher') ?? -1);
      await exitLine(n);
      expect(supervisor.pid('crasher')).toBeUndefined();
      delays.push(clock.fireNext());
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(pids.size).toBe(7); // a new process every time
    expect(logs[0]).toBe('crasher exited (code 3): connect ECONNREFUSED 127.0.0.1:5432; restart 1 in 1 s');
    expect(logs.filter((m) => m.startsWith('crasher exited'))[6]).toMatch(/; restart 7 in 30 s$/);

    // This run lasts a minute (on the clock) before it exits: the next restart is the first again.
    clock.t += DEFAULT_RESTART_POLICY.healthyAfterMs;
    await exitLine(8);
    expect(logs.filter((m) => m.startsWith('crasher exited'))[7]).toMatch(/; restart 1 in 1 s$/);
    expect(clock.timers.map((t) => t.ms)).toEqual([1000]);

    // stop() cancels the pending restart.
    await supervisor.stop();
    expect(clock.timers).toEqual([]);
  });

  it('Ctrl-C (SIGINT to the terminal process group) stops every app with exit code 0, nothing left running', async () => {
    // Its own process group, like a terminal's foreground job: the SIGINT goes to the whole group.
    const stack = spawn(process.execPath, [path.join(ROOT, 'test', 'fixtures', 'supervised-stack.js')], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    stack.stdout.on('data', (d: Buffer) => (out += d.toString()));
    stack.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
    try {
      const pids = await waitFor(
        'both apps ready',
        () => {
          const m = /\{"pids":\[(\d+),(\d+)\]\}/.exec(out);
          return m ? [Number(m[1]), Number(m[2])] : undefined;
        },
        20_000,
        20,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${err}`);
      });
      process.kill(-stack.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      const report = JSON.parse(/\{"exits":.*\}/.exec(out)![0]) as {
        exits: { name: string; code: number | null; signal: string | null }[];
      };
      expect(report.exits).toEqual([
        { name: 'one', code: 0, signal: null },
        { name: 'two', code: 0, signal: null },
      ]);
      expect(err).not.toContain('second signal');
      expect(pids.filter(processAlive)).toEqual([]);
    } finally {
      if (stack.exitCode === null) process.kill(-stack.pid!, 'SIGKILL');
    }
  });
});
