import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './app-process.js';
import { sleep, waitFor } from './wait.js';

/**
 * A Kafka broker and/or PostgreSQL server of one fault test, started by the project's own launcher
 * (`node tools/infra/cli.js up`) in a throw-away data folder on free ports. Fault tests stop and
 * restart THESE — never the shared broker (127.0.0.1:9092) or database (127.0.0.1:54329) that the
 * rest of the team's tests use.
 *
 * Cleanup is layered so nothing survives the test: `down()` (call it in `afterAll`), a synchronous
 * `process.on('exit')` kill, and a detached reaper process that kills the services and removes the
 * folder if the Jest worker dies without running either (SIGKILL, OOM).
 */
export interface PrivateInfra {
  /** The launcher's state folder (`TIMELINE_DATA_DIR`). */
  readonly dataDir: string;
  /** Broker list the apps should use (the private broker, or the shared one when Kafka is not private). */
  readonly kafkaBrokers: string;
  /** Database URL the apps should use (the private server, or the shared one when Postgres is not private). */
  readonly databaseUrl: string;
  /** Which services this helper owns. */
  readonly owns: { readonly kafka: boolean; readonly postgres: boolean };
  /** Node ids of the private Kafka (`[1]` for one broker, `[1, 2, 3]` for a 3-node cluster). */
  readonly kafkaNodes: readonly number[];
  /** Pid of the private broker JVM (of node `node`, default 1) while it runs. */
  kafkaPid(node?: number): number | undefined;
  /** Pid of the private postmaster while it runs. */
  postgresPid(): number | undefined;
  /**
   * Stops the private broker — node `node` of a cluster, or every node when `node` is not given:
   * SIGTERM = controlled shutdown (default), SIGKILL = crash. Waits for the exit.
   */
  stopKafka(signal?: 'SIGTERM' | 'SIGKILL', node?: number): Promise<void>;
  /** Stops the private PostgreSQL: SIGINT = fast shutdown (default), SIGQUIT = immediate (crash recovery on start). */
  stopPostgres(signal?: 'SIGINT' | 'SIGQUIT'): Promise<void>;
  /** Runs the launcher's `up` again: restarts whatever private service is stopped (data kept). */
  up(): Promise<void>;
  /** Stops every private service, removes the folder and the reaper. Idempotent. */
  down(): Promise<void>;
}

/** Which services to run privately. A service not asked for is the shared one, used (never stopped) by `up`. */
export interface PrivateInfraOptions {
  readonly kafka: boolean;
  readonly postgres: boolean;
  /** Broker+controller nodes of the private Kafka (TIMELINE_KAFKA_NODES). @default 1 */
  readonly kafkaNodes?: number;
}

const LAUNCHER = path.join(ROOT, 'tools', 'infra', 'cli.js');
const live = new Set<PrivateInfra>();
let exitHookInstalled = false;

/** Starts the requested private services (Kafka ~10 s, PostgreSQL ~3 s on a 2-core machine). */
export async function startPrivateInfra(opts: PrivateInfraOptions): Promise<PrivateInfra> {
  if (!opts.kafka && !opts.postgres) throw new Error('startPrivateInfra: ask for kafka and/or postgres');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-fault-'));
  // initdb and the postmaster run as the `postgres` user when the tests run as root: it must traverse the folder.
  fs.chmodSync(dataDir, 0o755);
  const nodes = opts.kafka ? (opts.kafkaNodes ?? 1) : 0;
  // Node i listens on base + 2(i−1) (broker) and the port after it (controller): tools/infra/kafka.js.
  const kafkaPort = opts.kafka ? await freePort(2 * nodes) : undefined;
  const pgPort = opts.postgres ? await freePort(1) : undefined;
  const nodeIds = Array.from({ length: nodes }, (_, i) => i + 1);
  const kafkaPidFiles = kafkaPidFilesOf(dataDir, nodes);
  const kafkaPidFile = (node = 1): string => {
    const f = kafkaPidFiles[node - 1];
    if (!f) throw new Error(`the private Kafka has no node ${node} (nodes: ${nodeIds.join(', ')})`);
    return f;
  };
  const pgPidFile = path.join(dataDir, 'postgres', 'cluster', 'postmaster.pid');

  // The launcher starts a service unless its variable is set. A service we do not own is passed as the
  // shared one, so `up` only waits for it; `down` only stops services whose pid files live in dataDir,
  // so the shared ones are never touched.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    TIMELINE_DATA_DIR: dataDir,
    ...(process.env.TIMELINE_CACHE_DIR ? { TIMELINE_CACHE_DIR: process.env.TIMELINE_CACHE_DIR } : {}),
    ...(kafkaPort
      ? { TIMELINE_KAFKA_PORT: String(kafkaPort), TIMELINE_KAFKA_NODES: String(nodes) }
      : { KAFKA_BROKERS: sharedVariable('KAFKA_BROKERS') }),
    ...(pgPort ? { TIMELINE_PG_PORT: String(pgPort) } : { DATABASE_URL: sharedVariable('DATABASE_URL') }),
  };
  const kafkaBrokers = kafkaPort ? nodeIds.map((i) => `127.0.0.1:${kafkaPort + 2 * (i - 1)}`).join(',') : sharedVariable('KAFKA_BROKERS');
  const databaseUrl = pgPort ? `postgres://postgres:timeline-local@127.0.0.1:${pgPort}/timeline` : sharedVariable('DATABASE_URL');

  const reaper = startReaper(dataDir, kafkaPidFiles, pgPidFile);
  let closed = false;
  const infra: PrivateInfra = {
    dataDir,
    kafkaBrokers,
    databaseUrl,
    owns: { kafka: opts.kafka, postgres: opts.postgres },
    kafkaNodes: nodeIds,
    kafkaPid: (node = 1) => (opts.kafka ? pidFrom(kafkaPidFile(node)) : undefined),
    postgresPid: () => (opts.postgres ? pidFrom(pgPidFile) : undefined),
    async stopKafka(signal = 'SIGTERM', node?: number) {
      if (!opts.kafka) throw new Error('this PrivateInfra does not own a Kafka broker');
      const which = node === undefined ? nodeIds : [node];
      await Promise.all(which.map((n) => stopPid(pidFrom(kafkaPidFile(n)), signal, 45_000)));
    },
    async stopPostgres(signal = 'SIGINT') {
      if (!opts.postgres) throw new Error('this PrivateInfra does not own a PostgreSQL server');
      await stopPid(pidFrom(pgPidFile), signal, 45_000);
    },
    async up() {
      const r = await runLauncher('up', env, 180_000);
      if (r.code !== 0) throw new Error(`private infra up failed (exit ${r.code}):\n${r.output.slice(-3000)}`);
    },
    async down() {
      if (closed) return;
      closed = true;
      live.delete(infra);
      const pids = [...kafkaPidFiles, pgPidFile].map(pidFrom).filter((p): p is number => p !== undefined);
      await runLauncher('down', env, 90_000).catch(() => undefined);
      killSync(kafkaPidFiles, pgPidFile);
      try {
        process.kill(reaper, 'SIGKILL');
      } catch {
        // already gone
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      const left = pids.filter(processAlive);
      if (left.length) throw new Error(`private infrastructure processes left behind: ${left.join(', ')}`);
    },
  };
  live.add(infra);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const i of live) {
        killSync(kafkaPidFilesOf(i.dataDir, i.kafkaNodes.length), path.join(i.dataDir, 'postgres', 'cluster', 'postmaster.pid'));
        fs.rmSync(i.dataDir, { recursive: true, force: true });
      }
    });
  }
  try {
    await infra.up();
  } catch (err) {
    await infra.down();
    throw err;
  }
  return infra;
}

function sharedVariable(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through jest's global setup (npm test)`);
  return v;
}

function runLauncher(
  command: 'up' | 'down',
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`infra ${command} timed out after ${timeoutMs} ms:\n${output.slice(-3000)}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Pid files of the private Kafka's nodes (the launcher's layout: one broker, or `kafka-cluster/node-<i>`). */
function kafkaPidFilesOf(dataDir: string, nodes: number): string[] {
  if (nodes <= 1) return nodes === 1 ? [path.join(dataDir, 'kafka', 'kafka.pid')] : [];
  return Array.from({ length: nodes }, (_, i) => path.join(dataDir, 'kafka-cluster', `node-${i + 1}`, 'kafka.pid'));
}

/** A port p with p..p+count-1 all free (Kafka's controller listens on port+1). */
async function freePort(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 39_100 + Math.floor(Math.random() * 2_400);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port pair found between 39100 and 41500');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function pidFrom(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0]!.trim(), 10);
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True while `pid` runs (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopPid(pid: number | undefined, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (!pid) throw new Error('the private service is not running');
  process.kill(pid, signal);
  try {
    await waitFor(`pid ${pid} to exit after ${signal}`, () => (processAlive(pid) ? undefined : true), timeoutMs, 50);
  } catch (err) {
    process.kill(pid, 'SIGKILL');
    await sleep(500);
    throw err;
  }
}

/** Last-resort synchronous kill (exit hooks): SIGKILL the brokers, immediate-shutdown the postmaster. */
function killSync(kafkaPidFiles: readonly string[], pgPidFile: string): void {
  for (const f of kafkaPidFiles) {
    const k = pidFrom(f);
    if (k) process.kill(k, 'SIGKILL');
  }
  const p = pidFrom(pgPidFile);
  if (p) {
    // SIGQUIT = immediate shutdown: the postmaster takes its backends down with it (SIGKILL would orphan them).
    process.kill(p, 'SIGQUIT');
    const until = Date.now() + 5000;
    while (processAlive(p) && Date.now() < until) spawnSync('sleep', ['0.05']);
    if (processAlive(p)) process.kill(p, 'SIGKILL');
  }
}

/**
 * A detached watchdog: when the test process dies without cleaning up, it kills the private services
 * and removes their folder. Killed by `down()` once cleanup ran normally.
 */
function startReaper(dataDir: string, kafkaPidFiles: readonly string[], pgPidFile: string): number {
  const script = `
    const fs = require('node:fs');
    const [parent, dir, pgPid, ...kafkaPids] = process.argv.slice(1);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const pidOf = (f) => { try { const p = parseInt(fs.readFileSync(f, 'utf8'), 10); return p > 0 && alive(p) ? p : 0; } catch { return 0; } };
    let reaping = false;
    setInterval(() => {
      if (reaping || alive(Number(parent))) return;
      reaping = true;
      for (const f of kafkaPids) { const k = pidOf(f); if (k) process.kill(k, 'SIGKILL'); }
      const p = pidOf(pgPid); if (p) process.kill(p, 'SIGQUIT');
      setTimeout(() => { const q = pidOf(pgPid); if (q) process.kill(q, 'SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); }, 5000);
    }, 1000);`;
  const child = spawn(process.execPath, ['-e', script, String(process.pid), dataDir, pgPidFile, ...kafkaPidFiles], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  if (!child.pid) throw new Error('could not start the private-infra reaper');
  return child.pid;
}
