import { spawn } from 'node:child_process';
import fs from 'node:fs';
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

  /**
   * Runs `command args` in its own process group (like a terminal's foreground job), waits until the
   * fixture's two apps are ready, sends `signal` to `target` (the group, or the spawned process
   * alone), and expects every app stopped with exit code 0 and nothing left running.
   */
  const expectCleanStop = async (command: string, args: string[], target: 'group' | 'process', signal: NodeJS.Signals) => {
    const stack = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    stack.stdout.on('data', (d: Buffer) => (out += d.toString()));
    stack.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let pids: number[] = [];
    try {
      pids = await waitFor(
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
      process.kill(target === 'group' ? -stack.pid! : stack.pid!, signal);
      const report = await waitFor('the stack to report how its apps exited', () => /\{"exits":.*\}/.exec(out)?.[0], 20_000, 20).catch(
        (e: Error) => {
          throw new Error(`${e.message}; apps still alive: ${pids.filter(processAlive).join(', ') || 'none'}\n${err}`);
        },
      );
      expect((JSON.parse(report) as { exits: unknown[] }).exits).toEqual([
        { name: 'one', code: 0, signal: null },
        { name: 'two', code: 0, signal: null },
      ]);
      expect(err).not.toContain('second signal');
      await waitFor('no app left running', () => (pids.some(processAlive) ? undefined : true), 10_000, 20);
    } finally {
      try {
        process.kill(-stack.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      for (const pid of pids.filter(processAlive)) process.kill(pid, 'SIGKILL');
    }
  };
  const fixture = path.join(ROOT, 'test', 'fixtures', 'supervised-stack.js');

  it('Ctrl-C (SIGINT to the terminal process group) stops every app with exit code 0, nothing left running', async () => {
    await expectCleanStop(process.execPath, [fixture], 'group', 'SIGINT');
  });

  it('a SIGTERM to the shell of the `npm start` script reaches the supervisor: every app stops, none is orphaned', async () => {
    // npm runs a script as `sh -c <script>` and forwards its own SIGTERM to that shell. Without
    // `exec`, the shell died and left tools/start.js and every app running, orphaned.
    const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(script).toContain('node tools/start.js');
    const probe = script.replace('npm run build', 'true').replace('node tools/start.js', `node ${JSON.stringify(fixture)}`);
    await expectCleanStop('sh', ['-c', probe], 'process', 'SIGTERM');
  });
});
