import { spawnSync } from 'node:child_process';
import pg from 'pg';
import path from 'node:path';
import { hashApiKey } from '@timeline/http';
import {
  ROOT,
  createTestDatabase,
  readinessRaised,
  readerRoleName,
  runCli,
  startApp,
  testConfig,
  type RunningApp,
} from './support/index.js';

describe('the four apps boot on real infrastructure', () => {
  const { env, config } = testConfig();
  const apps: RunningApp[] = [];
  let drop: () => Promise<void>;

  beforeAll(async () => {
    drop = (await createTestDatabase(config)).drop;
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await drop();
  });

  it.each(['ingest', 'projector', 'timeline-api'] as const)('%s answers /health with its dependencies up', async (name) => {
    const app = await startApp(name, env);
    apps.push(app);
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('up');
    // The read side needs PostgreSQL only (issue 12): its health has no Kafka check at all.
    if (name === 'timeline-api') expect(body.checks.kafka).toBeUndefined();
    else expect(body.checks.kafka?.status).toBe('up');
    if (name !== 'ingest') expect(body.checks.postgres?.status).toBe('up');
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('process_resident_memory_bytes');
    const docs = await fetch(`${app.url}/docs-json`);
    expect(docs.status).toBe(200);
  });

  it('runs the timeline API as a read-only database role, here as in every e2e suite (issue 12)', async () => {
    const api = apps.find((a) => a.name === 'timeline-api') ?? (await startApp('timeline-api', env));
    if (!apps.includes(api)) apps.push(api);
    expect((await fetch(`${api.url}/v1/timeline`)).status).toBe(200);
    const ds = new pg.Client({ connectionString: config.database.url });
    await ds.connect();
    try {
      const role = readerRoleName(config.database.schema);
      const sessions = await ds.query(`SELECT usename FROM pg_stat_activity WHERE application_name LIKE 'timeline-api%' AND usename = $1`, [
        role,
      ]);
      expect(sessions.rowCount).toBeGreaterThan(0);
      const {
        rows: [attrs],
      } = await ds.query('SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1', [role]);
      expect(attrs).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
      const {
        rows: [grants],
      } = await ds.query(
        `SELECT has_table_privilege($1, $2, 'SELECT') AS can_read, has_table_privilege($1, $2, 'INSERT') AS can_insert,
                has_table_privilege($1, $2, 'UPDATE') AS can_update, has_schema_privilege($1, $3, 'CREATE') AS can_create`,
        [role, `"${config.database.schema}".timeline_entries`, config.database.schema],
      );
      expect(grants).toEqual({ can_read: true, can_insert: false, can_update: false, can_create: false });
    } finally {
      await ds.end();
    }
  });

  it('runs ingest without DATABASE_URL (it needs Kafka only; per-app configuration)', async () => {
    const key = 'boot-editor-key-0123456789abcdef';
    const withoutDb: Record<string, string> = { ...env, API_KEYS: `boot:editor:${hashApiKey(key)}` };
    delete withoutDb.DATABASE_URL;
    const ingest = await startApp('ingest', withoutDb);
    apps.push(ingest);
    const { recordedAt: _r, ...input } = readinessRaised();
    const res = await fetch(`${ingest.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(input),
    });
    expect(res.status).toBe(202);
  });

  it('answers unknown routes with problem+json', async () => {
    const api = apps.find((a) => a.name === 'timeline-api') ?? (await startApp('timeline-api', env));
    const res = await fetch(`${api.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('stops cleanly on SIGTERM', async () => {
    const app = await startApp('timeline-api', env);
    const t0 = Date.now();
    const result = await app.stop();
    expect(result.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('the CLI prints its help', async () => {
    const r = await runCli(['--help'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('migrate');
  });
});

describe('bad configuration fails fast with one line', () => {
  const { env } = testConfig();
  const run = (app: string, overrides: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(ROOT, 'apps', app, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH ?? '', ...env, ...overrides },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('KAFKA_BROKERS=nonsense', () => {
    const r = run('ingest', { KAFKA_BROKERS: 'nonsense' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('KAFKA_BROKERS');
  });

  it('a DATABASE_URL that is not a URL', () => {
    const r = run('timeline-api', { DATABASE_URL: 'not-a-url' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('DATABASE_URL');
  });

  it('a DATABASE_URL pointing at no server', () => {
    const r = run('projector', { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ECONNREFUSED|connect/);
    expect(r.stderr).not.toContain(':y@');
  });
});
