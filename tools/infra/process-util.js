// @ts-check
/** Small process helpers for the infrastructure launcher (pid files, liveness, TCP probes). */
import fs from 'node:fs';
import net from 'node:net';

/**
 * Reads a pid file and returns the pid when that process is still alive.
 * @param {string} pidFile
 * @returns {number | undefined}
 */
export function livePid(pidFile) {
  let pid;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim().split('\n')[0] ?? '', 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return isAlive(pid) ? pid : undefined;
}

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) still answers signal 0; /proc tells the truth.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch (err) {
    // EPERM means the process exists but belongs to another user (postgres runs as `postgres`).
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * Sends `signal`, then waits up to `timeoutMs` for the process to exit; escalates to SIGKILL.
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 * @param {number} timeoutMs
 * @returns {Promise<'exited' | 'killed' | 'gone'>}
 */
export async function stopPid(pid, signal, timeoutMs) {
  try {
    process.kill(pid, signal);
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'exited';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* exited in between */
  }
  return 'killed';
}

/**
 * True when something accepts TCP connections on host:port.
 * @param {string} host
 * @param {number} port
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
export function portOpen(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (/** @type {boolean} */ ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Last `lines` lines of a text file, for error messages that point at a log.
 * @param {string} file
 * @param {number} lines
 */
export function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Error whose message is meant for a human at a terminal: printed as one line, no stack. */
export class InfraError extends Error {
  /** @param {string} message @param {{ cause?: unknown }} [options] */
  constructor(message, options) {
    super(message, options);
    this.name = 'InfraError';
  }
}
