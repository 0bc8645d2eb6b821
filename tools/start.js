#!/usr/bin/env node
// @ts-check
/**
 * `npm start [-- --projectors N --api-replicas M]`: the whole system on one machine, no Docker. Brings
 * up Kafka and PostgreSQL (or uses KAFKA_BROKERS / DATABASE_URL; a local cluster started with
 * `infra:up -- --brokers 3` is used whole), migrates, starts projector(s) + ingest + timeline-API
 * process(es) (ports: tools/start-options.js), publishes the seed dataset, prints the URLs, and on
 * Ctrl-C stops everything it started. While it runs, an app that exits on its own is restarted with
 * backoff (tools/supervisor.js); Kafka and PostgreSQL stay up.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InfraError, ensureInfra, stopInfra } from './infra/index.js';
import { DATA_DIR, ROOT } from './infra/paths.js';
import { Supervisor } from './supervisor.js';
import { instancePlan, parseStartArgs } from './start-options.js';

const t0 = Date.now();
// A closed terminal or pipe must not crash the shutdown path (it would orphan Kafka and Postgres).
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
const say = (/** @type {string} */ msg) => console.log(`[start] ${msg}`);
const logDir = path.join(DATA_DIR, 'logs');
fs.mkdirSync(logDir, { recursive: true });

/** Stable development keys (kept in .data so a restart keeps them). Only their hashes reach the apps. */
function devKeys() {
  const file = path.join(DATA_DIR, 'dev-api-keys.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const keys = { editor: randomBytes(18).toString('base64url'), admin: randomBytes(18).toString('base64url') };
  fs.writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}
const sha256 = (/** @type {string} */ s) => createHash('sha256').update(s).digest('hex');

const supervisor = new Supervisor({ log: (m) => console.error(`[start] ${m}`) });
/** @type {{ kafka: boolean, postgres: boolean }} */
let started = { kafka: false, postgres: false };
let stopping = false;
// start.js itself failing must not leave the (detached) apps running.
process.on('exit', () => supervisor.killRemaining());

async function shutdown(/** @type {number} */ code) {
  if (stopping) return;
  stopping = true;
  say('stopping apps …');
  const exits = await supervisor.stop({ killAfterMs: 12_000 });
  for (const e of exits) {
    if (e.code !== null || e.signal !== null) say(`${e.name} stopped (${e.signal ? `signal ${e.signal}` : `exit ${e.code}`})`);
  }
  if (started.kafka || started.postgres) {
    say(`stopping ${[started.kafka && 'Kafka', started.postgres && 'PostgreSQL'].filter(Boolean).join(' and ')} …`);
    await stopInfra(started);
  }
  say('bye');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

/**
 * Starts one app process under the supervisor (restarted with backoff when it exits on its own),
 * mirroring its JSON log lines as short human lines and keeping the full log in a file.
 * @param {string} name instance name (log file, console prefix) @param {string} app @param {NodeJS.ProcessEnv} env
 */
function startApp(name, app, env) {
  const file = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  supervisor.add({
    name,
    command: process.execPath,
    args: [path.join(ROOT, 'apps', app, 'dist', 'main.js')],
    env,
    onOutput: (d) => file.write(d),
    onLine: (line) => {
      try {
        const rec = JSON.parse(line);
        if (rec.level === 'info' && rec.context && rec.context !== 'NestApplication') return;
        console.log(`[${name}] ${rec.level !== 'info' ? `${String(rec.level).toUpperCase()} ` : ''}${rec.msg}`);
      } catch {
        if (line.trim()) console.log(`[${name}] ${line}`);
      }
    },
  });
}

/** @param {string} url @param {number} timeoutMs */
async function waitHealthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/health did not answer 200 within ${timeoutMs / 1000} s`);
}

try {
  const counts = parseStartArgs(process.argv.slice(2));
  const infra = await ensureInfra({ log: (m) => say(m) });
  started = infra.started;
  const keys = devKeys();
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    KAFKA_BROKERS: infra.kafkaBrokers,
    DATABASE_URL: infra.databaseUrl,
    API_CURSOR_SECRET: infra.cursorSecret,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // One machine, one projector: a restarted projector waits for its killed predecessor's group
    // membership to expire before it consumes, so keep that wait short here (the default is 30 s).
    PROJECTOR_SESSION_TIMEOUT_SECONDS: process.env.PROJECTOR_SESSION_TIMEOUT_SECONDS ?? '10',
    API_KEYS: process.env.API_KEYS ?? `dev-editor:editor:${sha256(keys.editor)},dev-admin:admin:${sha256(keys.admin)}`,
  };
  const host = env.HTTP_HOST ?? '127.0.0.1';
  const ports = { api: env.API_PORT ?? '3000', ingest: env.INGEST_PORT ?? '3001', projector: env.PROJECTOR_PORT ?? '3002' };

  say('applying database migrations …');
  const migrate = spawnSync(process.execPath, [path.join(ROOT, 'apps', 'cli', 'dist', 'main.js'), 'migrate'], { env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr || migrate.stdout}`);
  say(migrate.stdout.trim());

  const plan = instancePlan(
    counts,
    { api: Number(ports.api), ingest: Number(ports.ingest), projector: Number(ports.projector) },
    env.KAFKA_CLIENT_ID ?? 'crisis-timeline',
  );
  // The dashboard's editor mode (issue 14): the API tells the page where ingest is, and ingest lets
  // the dashboard's origins post to it (the editor key still decides).
  env.INGEST_PUBLIC_URL ??= `http://${host}:${ports.ingest}`;
  env.INGEST_CORS_ORIGINS ??= plan
    .filter((p) => p.app === 'timeline-api')
    .map((p) => `http://${host}:${p.port}`)
    .join(',');
  for (const p of plan) startApp(p.name, p.app, { ...env, ...p.env });
  await Promise.all(plan.map((p) => waitHealthy(`http://${host}:${p.port}`, 90_000)));
  const urls = (/** @type {string} */ app, /** @type {string} */ suffix) =>
    plan
      .filter((p) => p.app === app)
      .map((p) => `http://${host}:${p.port}${suffix}`)
      .join('  ');

  const cli = path.join(ROOT, 'apps', 'cli', 'dist', 'main.js');
  const dataset = path.join(ROOT, 'data', 'datasets', 'russia-ukraine-2022.ndjson');
  if (fs.existsSync(dataset) && process.env.TIMELINE_SKIP_SEED !== '1') {
    say('publishing the seed dataset …');
    const seed = spawnSync(process.execPath, [cli, 'seed', dataset], { env, stdio: 'inherit' });
    if (seed.status !== 0) say('seeding failed (the apps keep running); rerun with `npm run seed`');
  }

  console.log(
    [
      '',
      `  Crisis timeline is up (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      '',
      `  Dashboard          ${urls('timeline-api', '/')}`,
      `  Timeline API       ${urls('timeline-api', '/v1/timeline')}   (OpenAPI: http://${host}:${ports.api}/docs)`,
      `  Ingest API         http://${host}:${ports.ingest}/v1/events   (OpenAPI: http://${host}:${ports.ingest}/docs)`,
      `  ${(counts.projectors > 1 ? `Projectors (${counts.projectors})` : 'Projector').padEnd(18)} ${urls('projector', '/health')}   (metrics: /metrics; one consumer group)`,
      `  Kafka              ${infra.kafkaBrokers}${infra.kafkaNodes && infra.kafkaNodes > 1 ? ` (${infra.kafkaNodes}-node local cluster)` : ''}   (AsyncAPI: http://${host}:${ports.ingest}/asyncapi.json)`,
      '',
      process.env.API_KEYS
        ? '  API keys           from your API_KEYS'
        : `  Dev API keys       editor: ${keys.editor}   admin: ${keys.admin}   (X-API-Key header; kept in ${path.join(DATA_DIR, 'dev-api-keys.json')})`,
      `  Logs               ${logDir}`,
      '',
      '  Press Ctrl-C to stop everything this command started.',
      '',
    ].join('\n'),
  );
} catch (err) {
  console.error(`[start] error: ${err instanceof InfraError || err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
