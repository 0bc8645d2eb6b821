import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { hashApiKey } from '@timeline/http';
import { ensureTopics, timelineTopics } from '@timeline/kafka';
import {
  createTestDatabase,
  eventMessage,
  eventSeries,
  runCli,
  startApp,
  testConfig,
  testKafka,
  testProducer,
  waitForCaughtUp,
  type RunningApp,
} from './support/index.js';

/**
 * Least privilege (ARCHITECTURE.md): `cli db:roles` gives the API a role that can only read the
 * schema and the projector one that owns and writes it. The apps run with them; a write through the
 * reader fails; neither role reaches outside its schema.
 */
describe('least-privilege database roles (cli db:roles)', () => {
  const adminKey = randomBytes(24).toString('base64url');
  const { env, config } = testConfig({ API_KEYS: `roles-admin:admin:${hashApiKey(adminKey)}` });
  const id = config.database.schema;
  const roles = { reader: `${id}_reader`, writer: `${id}_writer` };
  const passwords = { reader: randomBytes(12).toString('hex'), writer: randomBytes(12).toString('hex') };
  const urlAs = (who: 'reader' | 'writer') => {
    const u = new URL(config.database.url);
    u.username = roles[who];
    u.password = passwords[who];
    return u.toString();
  };
  let ds: DataSource;
  let drop: () => Promise<void>;
  let kafka: Kafka;
  let admin: Admin;
  const apps: RunningApp[] = [];
  const clients: pg.Client[] = [];
  const connectAs = async (who: 'reader' | 'writer') => {
    const c = new pg.Client({ connectionString: urlAs(who), options: `-c search_path=${id}` });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ({ ds, drop } = await createTestDatabase(config));
    // The DBA's part: two login roles with passwords (db:roles creates missing ones without login).
    await ds.query(`CREATE ROLE "${roles.reader}" LOGIN PASSWORD '${passwords.reader}'`);
    await ds.query(`CREATE ROLE "${roles.writer}" LOGIN PASSWORD '${passwords.writer}'`);
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
    const t = timelineTopics(config.kafka);
    await ensureTopics(admin, [t.events, t.dlq]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await Promise.all(apps.map((a) => a.stop()));
    const t = timelineTopics(config.kafka);
    await admin.deleteTopics({ topics: [t.events.topic, t.dlq.topic] }).catch(() => undefined);
    await admin.disconnect();
    await ds.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
    for (const r of Object.values(roles)) {
      await ds.query(`DROP OWNED BY "${r}"`).catch(() => undefined);
      await ds.query(`DROP ROLE IF EXISTS "${r}"`);
    }
    await drop();
  }, 60_000);

  it('db:roles grants the reader SELECT only and makes the writer the owner; idempotent', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['db:roles', '--reader', roles.reader, '--writer', roles.writer], env);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`"${roles.reader}" may only read it`);
    }
    const owners: { owner: string; n: number }[] = await ds.query(
      `SELECT pg_get_userbyid(relowner) AS owner, count(*)::int AS n FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r','p') GROUP BY 1`,
      [id],
    );
    expect(owners.map((o) => o.owner)).toEqual([roles.writer]);
    const bad = await runCli(['db:roles', '--reader', 'Robert"); DROP TABLE x;--'], env);
    expect(bad.code).toBe(2);
  });

  it('runs the projector as the writer and the API as the reader', async () => {
    const projector = await startApp('projector', { ...env, DATABASE_URL: urlAs('writer') });
    const api = await startApp('timeline-api', { ...env, DATABASE_URL: urlAs('reader') });
    apps.push(projector, api);
    const producer = await testProducer(kafka);
    const events = eventSeries(20);
    try {
      await producer.send(
        config.kafka.eventsTopic,
        events.map((e) => eventMessage(e)),
      );
    } finally {
      await producer.close();
    }
    await waitForCaughtUp(ds, kafka, config.kafka.eventsTopic, 60_000);
    const page = (await (await fetch(`${api.url}/v1/timeline?limit=100`)).json()) as { data: unknown[] };
    expect(page.data).toHaveLength(20);
    expect((await fetch(`${api.url}/v1/stats`)).status).toBe(200);
    // Issue 16: the reader role runs the multilingual search (search_config, timeline_uk in the schema).
    for (const q of ['troops', 'військами', 'Kiev'])
      expect((await fetch(`${api.url}/v1/timeline?q=${encodeURIComponent(q)}`)).status).toBe(200);
    expect((await fetch(`${api.url}/v1/export?format=csv`)).status).toBe(200);
    // Issue 14: duplicate candidates use pg_trgm's similarity() (in public) and relation lookups, as the reader.
    const candidates = await fetch(`${api.url}/v1/entries/${events[0]!.eventId}/candidates`);
    expect(candidates.status).toBe(200);
    expect(((await candidates.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect((await fetch(`${api.url}/v1/stories/russia-ukraine-2022/candidates`)).status).toBe(200);
    expect((await fetch(`${api.url}/v1/entries/${events[0]!.eventId}`)).status).toBe(200);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    // The read API has no write surface at all: the admin rebuild lives in the projector app (issue 12).
    const rebuild = await fetch(`${api.url}/v1/admin/rebuild`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
      body: JSON.stringify({ from: 'event-log' }),
    });
    expect(rebuild.status).toBe(404);
    expect(api.output()).not.toContain('"level":50');
  });

  it('refuses every write through the reader role', async () => {
    const reader = await connectAs('reader');
    expect((await reader.query('SELECT count(*)::int AS n FROM event_log')).rows[0].n).toBe(20);
    const writes = [
      `INSERT INTO projector_offsets (projection, topic, partition, next_offset) VALUES ('live', 'x', 0, 0)`,
      `UPDATE timeline_entries SET summary = 'defaced'`,
      `DELETE FROM event_log`,
      `TRUNCATE entry_versions`,
      `UPDATE active_projection SET name = 'live'`,
      `CREATE TABLE "${id}".intruder (x int)`,
      `DROP TABLE event_log`,
      `ALTER TABLE timeline_entries ADD COLUMN x int`,
      `CREATE TABLE public.intruder_${id} (x int)`,
      `INSERT INTO rate_limit_buckets (scope, client, tokens, updated_at) VALUES ('writes', 'key:x', 1e9, now())`,
      `UPDATE rate_limit_buckets SET tokens = 1e9`,
    ];
    for (const sql of writes) {
      const err = await reader.query(sql).then(
        () => undefined,
        (e: { code?: string }) => e,
      );
      expect({ sql, code: err?.code }).toEqual({ sql, code: expect.stringMatching(/^(42501|42P01)$/) });
    }
    expect(Number((await ds.query('SELECT count(*) AS n FROM event_log'))[0].n)).toBe(20);
  });

  it("lets the reader take rate-limit tokens only through rate_limit_take, which runs with the writer's rights (issue 13)", async () => {
    const reader = await connectAs('reader');
    const take = async () => Number((await reader.query(`SELECT rate_limit_take('writes', 'key:roles', 2) AS wait`)).rows[0].wait);
    expect([await take(), await take()]).toEqual([0, 0]);
    expect(await take()).toBeGreaterThan(0);
    const owner: { owner: string; definer: boolean }[] = await ds.query(
      `SELECT pg_get_userbyid(proowner) AS owner, prosecdef AS definer FROM pg_proc WHERE proname = 'rate_limit_take' AND pronamespace = $1::regnamespace`,
      [id],
    );
    expect(owner).toEqual([{ owner: roles.writer, definer: true }]);
  });

  it('gives the reader tables the writer creates later, and keeps the writer inside its schema', async () => {
    const writer = await connectAs('writer');
    // A future migration run by the projector's role.
    await writer.query(`CREATE TABLE "${id}".future_table (x int)`);
    await writer.query(`INSERT INTO "${id}".future_table VALUES (1)`);
    const reader = await connectAs('reader');
    expect((await reader.query(`SELECT x FROM "${id}".future_table`)).rows).toEqual([{ x: 1 }]);
    await expect(reader.query(`INSERT INTO "${id}".future_table VALUES (2)`)).rejects.toMatchObject({ code: '42501' });
    // Outside the schema the writer is nobody: no new tables in public, no other schema's data.
    const other = testConfig().config.database.schema;
    await ds.query(`CREATE SCHEMA "${other}"`);
    try {
      await ds.query(`CREATE TABLE "${other}".secret (x int)`);
      await expect(writer.query(`SELECT * FROM "${other}".secret`)).rejects.toMatchObject({ code: '42501' });
      await expect(writer.query(`CREATE TABLE public.intruder_${id} (x int)`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await ds.query(`DROP SCHEMA "${other}" CASCADE`);
    }
  });
});
