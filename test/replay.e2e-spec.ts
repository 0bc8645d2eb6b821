import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { eventCatalogue } from '@timeline/events';
import {
  ROOT,
  eventMessage,
  projectorTestbed,
  runCli,
  startApp,
  statementIssued,
  testConfig,
  waitForCaughtUp,
  type ProjectorTestbed,
  type RawEvent,
  type RunningApp,
} from './support/index.js';

/** An SSE event with the time (performance.now) it arrived. */
interface TimedEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
  readonly at: number;
}

/** Reads a whole SSE response (until the server ends it), timestamping each event on arrival. */
async function readSse(url: string, timeoutMs = 60_000): Promise<{ status: number; events: TimedEvent[]; body?: unknown }> {
  const res = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200 || !res.body) return { status: res.status, events: [], body: await res.json() };
  const events: TimedEvent[] = [];
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const i = line.indexOf(':');
        fields.set(line.slice(0, i), line.slice(i + 1).replace(/^ /, ''));
      }
      if (fields.has('data')) {
        const id = fields.get('id');
        events.push({ event: fields.get('event') ?? 'message', data: fields.get('data')!, ...(id ? { id } : {}), at: performance.now() });
      }
    }
  }
  return { status: res.status, events };
}

/** Issue 6 acceptance: analysis replay (CLI to NDJSON, SSE at a speed factor, asOf) on the built apps. */
describe('replay e2e', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '3' });
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let apps: RunningApp[] = [];
  let api: RunningApp;
  let dir: string;

  const dataset = readFileSync(path.join(ROOT, 'data', 'datasets', 'russia-ukraine-2022.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RawEvent);
  const inWindow = (e: { occurredAt: string }, from: string, toExclusive: string) =>
    Date.parse(e.occurredAt) >= Date.parse(from) && Date.parse(e.occurredAt) < Date.parse(toExclusive);
  const pacedActor = { id: 'pace-desk', name: 'Pace desk', country: 'US', role: 'subject' };
  // Real gaps 1 h, 2 h, 30 min and 20 h: at speed 7200 that is 500, 1000 and 250 ms, and 10 s shortened to maxGap=1 s.
  const paced = ['00:00', '01:00', '03:00', '03:30', '23:30'].map((t, i) =>
    statementIssued({
      occurredAt: `2022-02-01T${t}:00Z`,
      occurredAtPrecision: 'minute',
      recordedAt: '2022-02-02T00:00:00Z',
      actors: [pacedActor],
      summary: `Paced event ${i}`,
    }),
  );
  // Known by noon on 25 January, and learned only that afternoon.
  const knownByNoon = statementIssued({
    occurredAt: '2022-01-22T10:00:00Z',
    occurredAtPrecision: 'hour',
    recordedAt: '2022-01-25T10:00:00Z',
  });
  const learnedLater = statementIssued({
    occurredAt: '2022-01-23T10:00:00Z',
    occurredAtPrecision: 'hour',
    recordedAt: '2022-01-25T14:00:00Z',
  });

  beforeAll(async () => {
    bed = await projectorTestbed(config, 3);
    ds = bed.ds;
    apps = await Promise.all([startApp('projector', env), startApp('timeline-api', env)]);
    api = apps[1]!;
    dir = await mkdtemp(path.join(os.tmpdir(), 'replay-e2e-'));
    const seeded = await runCli(['seed'], env);
    expect(seeded.code).toBe(0);
    await bed.producer.send(
      topic,
      [...paced, knownByNoon, learnedLater].map((e) => eventMessage(e)),
    );
    await waitForCaughtUp(ds, bed.kafka, topic, 120_000);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await bed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const readNdjson = async (file: string) =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RawEvent & { schemaVersion: number });
  const chronological = (a: RawEvent, b: RawEvent) =>
    Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
    Date.parse(a.recordedAt) - Date.parse(b.recordedAt) ||
    (a.eventId < b.eventId ? -1 : 1);

  it('replay --out writes exactly the events of a date window, in chronological order, upcast to current versions', async () => {
    const file = path.join(dir, 'window.ndjson');
    const r = await runCli(['replay', '--from', '2022-01-20', '--to', '2022-01-26', '--out', file], env);
    expect(r.code).toBe(0);
    const got = await readNdjson(file);
    const expected = [...dataset.filter((e) => inWindow(e, '2022-01-20T00:00:00Z', '2022-01-27T00:00:00Z')), knownByNoon, learnedLater];
    expect(got.map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
    expect(got.length).toBeGreaterThan(10);
    expect(got).toEqual([...got].sort(chronological));
    expect(r.stderr).toContain(`replay: wrote ${got.length} events to ${file} in chronological order`);
    for (const e of got) {
      const d = eventCatalogue.decode(e);
      expect(d.ok).toBe(true);
      expect(e.schemaVersion).toBe(eventCatalogue.get(e.type)!.version);
    }
  });

  it('filters by type and writes log order on request', async () => {
    const file = path.join(dir, 'statements.ndjson');
    const r = await runCli(
      ['replay', '--from', '2022-01-20', '--to', '2022-01-26', '--type', 'statement.issued', '--order', 'log', '--out', file],
      env,
    );
    expect(r.code).toBe(0);
    const got = await readNdjson(file);
    const expected = [...dataset, knownByNoon, learnedLater].filter(
      (e) => e.type === 'statement.issued' && inWindow(e, '2022-01-20T00:00:00Z', '2022-01-27T00:00:00Z'),
    );
    expect(got.map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
    const positions: { event_id: string; p: number; o: string }[] = await ds.query(
      `SELECT event_id::text AS event_id, source_partition AS p, source_offset::text AS o FROM event_log WHERE event_id = ANY($1::uuid[])`,
      [got.map((e) => e.eventId)],
    );
    const pos = new Map(positions.map((x) => [x.event_id, [x.p, Number(x.o)] as const]));
    const keys = got.map((e) => pos.get(e.eventId)!);
    expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
  });

  it('--as-of answers "what did we know on 25 January at noon" from the log alone', async () => {
    const file = path.join(dir, 'asof.ndjson');
    const r = await runCli(['replay', '--from', '2022-01-20', '--to', '2022-01-26', '--as-of', '2022-01-25T12:00:00Z', '--out', file], env);
    expect(r.code).toBe(0);
    // The dataset was recorded when it was seeded (now), so only the event recorded by noon remains.
    expect((await readNdjson(file)).map((e) => e.eventId)).toEqual([knownByNoon.eventId]);
    const bad = await runCli(['replay', '--from', '2022-02-30'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from must be a date/);
  });

  it('GET /v1/replay streams the window in occurredAt order, spaced by real gap / speed, long gaps shortened, then ends', async () => {
    const t0 = performance.now();
    const { status, events } = await readSse(`${api.url}/v1/replay?from=2022-02-01&to=2022-02-01&speed=7200&maxGap=1&actor=pace-desk`);
    expect(status).toBe(200);
    expect(events.map((e) => e.event)).toEqual(['ready', 'replay', 'replay', 'replay', 'replay', 'replay', 'end']);
    const replayed = events.filter((e) => e.event === 'replay').map((e) => ({ ...e, body: JSON.parse(e.data) }));
    expect(replayed.map((e) => e.body.event.eventId)).toEqual(paced.map((e) => e.eventId));
    expect(replayed.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(replayed.map((e) => e.body.delayMs)).toEqual([0, 500, 1000, 250, 1000]);
    expect(replayed.map((e) => e.body.gapShortened)).toEqual([false, false, false, false, true]);
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ count: 5, undecodable: 0 });
    // Coarse tolerance: the machine is shared; pauses must be there, in proportion, and not much longer.
    const gaps = replayed.slice(1).map((e, i) => e.at - replayed[i]!.at);
    [500, 1000, 250, 1000].forEach((want, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(want - 150);
      expect(gaps[i]).toBeLessThanOrEqual(want + 600);
    });
    expect(performance.now() - t0).toBeLessThan(2750 + 5000);
  });

  it('GET /v1/replay with asOf replays only what had been recorded by then', async () => {
    const { events } = await readSse(`${api.url}/v1/replay?from=2022-01-20&to=2022-01-26&speed=100000000&asOf=2022-01-25T12:00:00Z`);
    const ids = events.filter((e) => e.event === 'replay').map((e) => JSON.parse(e.data).event.eventId);
    expect(ids).toEqual([knownByNoon.eventId]);
    expect(JSON.parse(events.find((e) => e.event === 'ready')!.data)).toMatchObject({ asOf: '2022-01-25T12:00:00.000Z', speed: 100000000 });
  });

  it('GET /v1/replay keeps only events naming a country (an actor’s or a location’s) and words each date as the timeline does', async () => {
    const { events } = await readSse(`${api.url}/v1/replay?from=2022-01-20&to=2022-02-01&speed=100000000&country=ua,BY`);
    const replayed = events.filter((e) => e.event === 'replay').map((e) => JSON.parse(e.data) as { event: RawEvent; displayDate: string });
    const names = (e: RawEvent) =>
      [...(e.actors as { country?: string }[]), ...(e.locations as { country: string }[])].some(
        (x) => x.country === 'UA' || x.country === 'BY',
      );
    const expected = [...dataset, ...paced, knownByNoon, learnedLater]
      .filter((e) => inWindow(e, '2022-01-20T00:00:00Z', '2022-02-02T00:00:00Z') && names(e))
      .sort(chronological);
    expect(expected.length).toBeGreaterThan(2);
    // In occurredAt order (ties go by recordedAt, which the seed set when it published).
    expect(new Set(replayed.map((m) => m.event.eventId))).toEqual(new Set(expected.map((e) => e.eventId)));
    expect(replayed.map((m) => m.event.occurredAt)).toEqual(expected.map((e) => e.occurredAt));
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ count: expected.length });
    // displayDate: what GET /v1/timeline says for the same (uncorrected) entry.
    const timeline = (await (await fetch(`${api.url}/v1/timeline?limit=500&from=2022-01-20&to=2022-02-01`)).json()) as {
      data: { id: string; version: number; displayDate: string }[];
    };
    const compared = replayed.filter((m) => timeline.data.some((e) => e.id === m.event.eventId && e.version === 1));
    expect(compared.length).toBeGreaterThanOrEqual(2);
    for (const m of compared) expect(m.displayDate).toBe(timeline.data.find((e) => e.id === m.event.eventId)!.displayDate);
  });

  it('answers bad replay parameters with 400 problems naming them', async () => {
    for (const [qs, param] of [
      ['to=2022-01-26', 'from'],
      ['from=2022-01-20', 'to'],
      ['from=2022-01-20&to=2022-01-26&speed=0', 'speed'],
      ['from=2022-01-20&to=2022-01-26&speed=fast', 'speed'],
      ['from=2022-01-20&to=2022-01-26&maxGap=-1', 'maxGap'],
      ['from=2022-01-20&to=2022-01-26&type=bogus.type', 'type'],
      ['from=2022-01-26&to=2022-01-20', 'to'],
      ['from=2022-01-20&to=2022-01-26&asOf=noon', 'asOf'],
      ['from=2022-01-20&to=2022-01-26&limit=5', 'limit'],
      ['from=2022-01-20&to=2022-01-26&country=Ukraine', 'country'],
    ] as const) {
      const r = await readSse(`${api.url}/v1/replay?${qs}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({
        status: 400,
        code: 'QUERY.INVALID_PARAMETER',
        errors: expect.arrayContaining([expect.objectContaining({ path: param })]),
      });
    }
  });
});
