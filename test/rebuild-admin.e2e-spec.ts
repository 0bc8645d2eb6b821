import type { DataSource } from 'typeorm';
import { hashApiKey } from '@timeline/http';
import { compareChecksums, projectionChecksum } from '@timeline/store';
import {
  entryCorrected,
  entryRetracted,
  eventMessage,
  eventSeries,
  projectorTestbed,
  startApp,
  testConfig,
  waitFor,
  waitForCaughtUp,
  type ProjectorTestbed,
  type RunningApp,
} from './support/index.js';

/** `POST /v1/admin/rebuild` + its status resource on the projector app (the only writer, issue 12), read through the API, on Kafka and Postgres. */
describe('admin rebuild endpoint e2e', () => {
  const adminKey = 'admin-key-for-rebuild-e2e-0123456789';
  const readerKey = 'reader-key-for-rebuild-e2e-0123456789';
  const { env, config } = testConfig({
    KAFKA_TOPIC_PARTITIONS: '3',
    API_KEYS: `ops:admin:${hashApiKey(adminKey)},desk:reader:${hashApiKey(readerKey)}`,
  });
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let apps: RunningApp[] = [];
  let api: RunningApp;
  let projector: RunningApp;

  const post = async (body: unknown, key?: string) => {
    const res = await fetch(`${projector.url}/v1/admin/rebuild`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(key ? { 'X-API-Key': key } : {}) },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      location: res.headers.get('location'),
      type: res.headers.get('content-type'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const status = async (name: string, key = adminKey) => {
    const res = await fetch(`${projector.url}/v1/admin/rebuild/${name}`, { headers: { 'X-API-Key': key } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    bed = await projectorTestbed(config, 3);
    ds = bed.ds;
    apps = await Promise.all([startApp('projector', env), startApp('timeline-api', env)]);
    projector = apps[0]!;
    api = apps[1]!;
    const series = eventSeries(120, Date.parse('2022-01-01T00:00:00Z')).map((e, i) => ({ ...e, storyId: `story-${i % 4}` }));
    await bed.producer.send(
      topic,
      [
        ...series,
        entryCorrected(series[5]!, { summary: 'Fixed' }, { storyId: 'story-1' }),
        entryRetracted(series[6]!, 'Wrong.', { storyId: 'story-2' }),
      ].map((e) => eventMessage(e)),
    );
    await waitForCaughtUp(ds, bed.kafka, topic, 120_000);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await bed?.close();
  });

  it('needs an admin key and a valid body', async () => {
    expect((await post({})).status).toBe(401);
    expect((await post({}, readerKey)).status).toBe(403);
    const bad = await post({ from: 's3', dropOld: 'yes', name: 'V-2', extra: 1 }, adminKey);
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/application\/problem\+json/);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['/dropOld', '/extra', '/from', '/name']);
    expect((await status('nope')).status).toBe(404);
    expect((await status('live', readerKey)).status).toBe(403);
  });

  it('accepts a rebuild with 202 + Location, refuses a second one with 409, reports progress, switches and drops the old version', async () => {
    const before = await projectionChecksum(ds, 'live');
    const started = await post({ maxEventsPerSecond: 40 }, adminKey);
    expect(started.status).toBe(202);
    expect(started.location).toBe('/v1/admin/rebuild/v2');
    expect(started.body).toMatchObject({ name: 'v2', source: 'kafka', resumed: false, statusUrl: '/v1/admin/rebuild/v2' });

    const again = await post({ name: 'v3' }, adminKey);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/another rebuild or verify is running/);

    const running = await status('v2');
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ name: 'v2', status: 'building', state: 'running', source: 'kafka' });

    // The API keeps answering with complete pages throughout, and the status shows progress.
    let sawProgress = false;
    const done = await waitFor(
      'v2 active',
      async () => {
        const page = await fetch(`${api.url}/v1/timeline?limit=10`);
        expect(page.status).toBe(200);
        expect(((await page.json()) as { data: unknown[] }).data).toHaveLength(10);
        const s = (await status('v2')).body;
        const p = s.progress as { processed: number; total: number; eventsPerSecond: number } | null;
        if (p && p.processed > 0 && p.processed < p.total) sawProgress = true;
        return s.state === 'active' ? s : undefined;
      },
      120_000,
      100,
    );
    expect(sawProgress).toBe(true);
    expect(done).toMatchObject({ status: 'active', rows: { entries: 120, versions: 122 }, error: null });
    expect(compareChecksums(before, await projectionChecksum(ds, 'v2'))).toEqual([]);
    expect((await status('live')).body).toMatchObject({ status: 'retired', state: 'retired' });

    // The old version is dropped after the grace period, then the run reports its result.
    const finished = await waitFor(
      'the run to finish',
      async () => ((await status('v2')).body.result ? (await status('v2')).body : undefined),
      60_000,
      500,
    );
    expect(finished.result).toMatchObject({ name: 'v2', previous: 'live', source: 'kafka', oldVersion: 'dropped' });
    const list = await fetch(`${projector.url}/v1/admin/rebuild`, { headers: { 'X-API-Key': adminKey } });
    const rows = ((await list.json()) as { data: { name: string; state: string }[] }).data;
    expect(rows.map((r) => [r.name, r.state])).toEqual([
      ['live', 'dropped'],
      ['v2', 'active'],
    ]);
    // A taken name is a conflict, not a server error.
    const taken = await post({ name: 'v2' }, adminKey);
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toMatch(/already exists/);
  });
});
