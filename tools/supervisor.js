// @ts-check
/**
 * Keeps `npm start`'s apps running (issue 11): an app that exits while nobody asked it to stop is
 * started again after a backoff of 1 s, 2 s, 4 s … capped at 30 s, back to 1 s once a run lasted a
 * minute; the console says what happened. `stop()` ends every app with ONE SIGTERM each.
 *
 * Each app runs in a process group of its own (`detached`): a Ctrl-C in the terminal signals the
 * terminal's foreground group — start.js — but not the apps, so they get only the SIGTERM that
 * `stop()` sends. (They used to be in start.js's group and got the terminal's SIGINT *and* start.js's
 * SIGTERM: the second signal made them exit 1 with "second signal: exiting now".)
 */
import { spawn as spawnProcess } from 'node:child_process';

/** @typedef {{ initialDelayMs: number, maxDelayMs: number, healthyAfterMs: number }} RestartPolicy */

/** @type {RestartPolicy} */
export const DEFAULT_RESTART_POLICY = { initialDelayMs: 1_000, maxDelayMs: 30_000, healthyAfterMs: 60_000 };

/**
 * Delay before the `restart`-th consecutive restart (1-based): initial × 2^(restart−1), capped.
 * @param {number} restart @param {RestartPolicy} [policy]
 */
export function restartDelayMs(restart, policy = DEFAULT_RESTART_POLICY) {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, Math.min(restart - 1, 30)));
}

/**
 * The line that best explains an exit, from an app's output: the last error/fatal JSON log record
 * (its message and error), else the last plain text line (runMain's "cannot start: …").
 * Feed it every output line; `line` is the explanation so far.
 */
export class LastErrorLine {
  /** @type {string | undefined} */
  #error;
  /** @type {string | undefined} */
  #plain;

  /** @param {string} line */
  note(line) {
    const text = line.trim();
    if (!text) return;
    /** @type {unknown} */
    let rec;
    try {
      rec = JSON.parse(text);
    } catch {
      this.#plain = text;
      return;
    }
    if (!rec || typeof rec !== 'object') return;
    const r = /** @type {{ level?: unknown, msg?: unknown, err?: { message?: unknown } }} */ (rec);
    if (r.level === 'error' || r.level === 'fatal' || (typeof r.level === 'number' && r.level >= 50)) {
      const detail = typeof r.err?.message === 'string' ? `: ${r.err.message}` : '';
      this.#error = `${String(r.msg ?? '')}${detail}`.split('\n')[0];
    }
  }

  /** @returns {string | undefined} */
  get line() {
    return this.#error ?? this.#plain;
  }
}

/**
 * @typedef {object} Clock
 * @property {() => number} now
 * @property {(fn: () => void, ms: number) => unknown} setTimeout
 * @property {(handle: unknown) => void} clearTimeout
 */
/** @type {Clock} */
const systemClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(/** @type {NodeJS.Timeout} */ (handle)),
};

/**
 * @typedef {object} AppSpec
 * @property {string} name
 * @property {string} command
 * @property {string[]} args
 * @property {NodeJS.ProcessEnv} [env]
 * @property {(line: string, stream: 'stdout' | 'stderr') => void} [onLine] every output line, for the console and log files
 * @property {(chunk: Buffer) => void} [onOutput] raw output, for a log file
 */

/**
 * @typedef {object} AppExit
 * @property {string} name
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 */

/**
 * @typedef {object} SupervisedApp
 * @property {AppSpec} spec
 * @property {import('node:child_process').ChildProcess | undefined} child
 * @property {number} startedAt
 * @property {number} restarts consecutive restarts since the last run that lasted `healthyAfterMs`
 * @property {unknown} timer pending restart
 * @property {Promise<AppExit> | undefined} exited
 * @property {LastErrorLine} lastError
 */

/** Starts apps and restarts the ones that exit on their own. */
export class Supervisor {
  /** @type {Map<string, SupervisedApp>} */
  #apps = new Map();
  #stopping = false;
  #spawn;
  #clock;
  #log;
  #policy;

  /**
   * @param {{
   *   spawn?: typeof spawnProcess,
   *   clock?: Clock,
   *   log?: (message: string) => void,
   *   policy?: Partial<RestartPolicy>,
   * }} [options]
   */
  constructor(options = {}) {
    this.#spawn = options.spawn ?? spawnProcess;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? ((m) => console.error(`[start] ${m}`));
    this.#policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
  }

  /** Starts an app and keeps it running until {@link stop}. @param {AppSpec} spec */
  add(spec) {
    if (this.#apps.has(spec.name)) throw new Error(`${spec.name} is supervised already`);
    /** @type {SupervisedApp} */
    const app = { spec, child: undefined, startedAt: 0, restarts: 0, timer: undefined, exited: undefined, lastError: new LastErrorLine() };
    this.#apps.set(spec.name, app);
    this.#run(app);
  }

  /** Pid of the app's current process (undefined while it waits for a restart). @param {string} name */
  pid(name) {
    const child = this.#apps.get(name)?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /**
   * Stops every app: pending restarts are cancelled, each running process gets one `signal`, and
   * SIGKILL after `killAfterMs`. Resolves with how each exited.
   * @param {{ signal?: NodeJS.Signals, killAfterMs?: number }} [options]
   * @returns {Promise<AppExit[]>}
   */
  async stop(options = {}) {
    this.#stopping = true;
    const signal = options.signal ?? 'SIGTERM';
    const killAfterMs = options.killAfterMs ?? 12_000;
    const exits = [...this.#apps.values()].map(async (app) => {
      if (app.timer !== undefined) this.#clock.clearTimeout(app.timer);
      app.timer = undefined;
      const child = app.child;
      if (!child || !app.exited) return { name: app.spec.name, code: null, signal: null };
      if (child.exitCode === null && child.signalCode === null) {
        const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        child.kill(signal);
        const exit = await app.exited;
        clearTimeout(kill);
        return exit;
      }
      return app.exited;
    });
    return Promise.all(exits);
  }

  /**
   * Last resort for an exit path that cannot wait (a crash of the supervising process): SIGKILL
   * whatever still runs, synchronously. Detached apps would otherwise outlive it.
   */
  killRemaining() {
    this.#stopping = true;
    for (const app of this.#apps.values()) {
      if (app.timer !== undefined) this.#clock.clearTimeout(app.timer);
      const child = app.child;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  /** @param {SupervisedApp} app */
  #run(app) {
    const { spec } = app;
    app.timer = undefined;
    app.lastError = new LastErrorLine();
    app.startedAt = this.#clock.now();
    const child = this.#spawn(spec.command, spec.args, {
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: see the module comment.
      detached: true,
    });
    app.child = child;
    for (const [stream, name] of /** @type {const} */ ([
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ])) {
      let rest = '';
      stream?.on('data', (/** @type {Buffer} */ d) => {
        spec.onOutput?.(d);
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          app.lastError.note(line);
          spec.onLine?.(line, name);
        }
      });
    }
    app.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        app.lastError.note(err.message);
        // A process that never started emits no 'exit'.
        if (child.pid === undefined) resolve(this.#exited(app, null, null));
      });
      child.once('exit', (code, signal) => resolve(this.#exited(app, code, signal)));
    });
  }

  /**
   * @param {SupervisedApp} app @param {number | null} code @param {NodeJS.Signals | null} signal
   * @returns {AppExit}
   */
  #exited(app, code, signal) {
    const exit = { name: app.spec.name, code, signal };
    if (this.#stopping) return exit;
    if (this.#clock.now() - app.startedAt >= this.#policy.healthyAfterMs) app.restarts = 0;
    app.restarts++;
    const delay = restartDelayMs(app.restarts, this.#policy);
    const why = app.lastError.line;
    this.#log(
      `${app.spec.name} exited (${signal ? `signal ${signal}` : `code ${code}`})${why ? `: ${why}` : ''}; restart ${app.restarts} in ${formatDelay(delay)}`,
    );
    app.timer = this.#clock.setTimeout(() => {
      if (this.#stopping) return;
      this.#run(app);
      this.#log(`${app.spec.name} restarted (restart ${app.restarts}, pid ${app.child?.pid ?? 'none'})`);
    }, delay);
    return exit;
  }
}

/** @param {number} ms */
function formatDelay(ms) {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
