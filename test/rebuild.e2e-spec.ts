import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ProjectionVersions, compareChecksums, projectionChecksum, type ProjectionChecksum } from '@timeline/store';
import {
  entryCorrected,
  entryRetracted,
  eventMessage,
  eventSeries,
  projectorTestbed,
  readinessRaised,
  runCli,
  sleep,
  spawnCli,
  startApp,
  testConfig,
  waitFor,
  waitForCaughtUp,
  type ProjectorTestbed,
  type RunningApp,
} from './support/index.js';

/**
 * Issue 6 acceptance: zero-downtime rebuild with the built projector, API and CLI processes on real
 * Kafka and Postgres. The tests run in order on one deployment (each rebuild starts from the
 * version the previous one left active).
 */
describe('projection rebuild e2e', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '3' });
  const topic = config.kafka.eventsTopic;
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  let producer: ProjectorTestbed['producer'];
  let projector: RunningApp | undefined;
  let api: RunningApp;

  const active = async () => (await ds.query('SELECT name FROM active_projection'))[0].name as string;
  const statusOf = async (name: string) => (await ds.query('SELECT status FROM projections WHERE name = $1', [name]))[0]?.status as string;
  const cli = async (args: string[]) => {
    const r = await runCli(args, env, 240_000);
    return { ...r, all: `${r.stdout}\n${r.stderr}` };
  };
  const expectSame = (a: ProjectionChecksum, b: ProjectionChecksum) => {
    expect(compareChecksums(a, b)).toEqual([]);
    expect(b.digest).toBe(a.digest);
  };
  const storyEvents = (n: number, start: string, tag: string) =>
    eventSeries(n, Date.parse(start)).map((e, i) => ({ ...e, storyId: `story-${i % 5}`, tags: [tag] }));

  /** Polls /v1/timeline as a reader would, recording every error and every empty page. */
  const pollTimeline = () => {
    let running = true;
    let requests = 0;
    const failures: string[] = [];
    const done = (async () => {
      while (running) {
        try {
          const res = await fetch(`${api.url}/v1/timeline?limit=25`);
          const body = (await res.json()) as { data?: unknown[] };
          requests++;
          if (res.status !== 200) failures.push(`HTTP ${res.status}: ${JSON.stringify(body)}`);
          else if (!body.data || body.data.length === 0) failures.push('empty page');
        } catch (err) {
          failures.push(`request failed: ${String(err)}`);
        }
        await sleep(20);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await done;
        return { requests, failures };
      },
    };
  };

  beforeAll(async () => {
    bed = await projectorTestbed(config, 3);
    ({ ds, kafka, admin, producer } = bed);
    [projector, api] = await Promise.all([startApp('projector', env), startApp('timeline-api', env)]);

    // The crisis dataset through `cli seed`, then other stories spread over the partitions, with
    // corrections, retractions, a correction published before its target, and a poison message.
    const seeded = await cli(['seed']);
    expect(seeded.code).toBe(0);
    const series = storyEvents(150, '2022-01-10T00:00:00Z', 'series');
    const lateTarget = readinessRaised({ storyId: 'story-1', occurredAt: '2022-01-25T06:00:00Z', recordedAt: '2022-01-25T07:00:00Z' });
    const early = entryCorrected(
      lateTarget,
      { summary: 'Corrected before it arrived' },
      { storyId: 'story-3', recordedAt: '2022-01-25T08:00:00Z' },
    );
    const meta = [
      ...[3, 17, 40, 77, 121].map((i) => entryCorrected(series[i]!, { summary: `Corrected ${i}` }, { storyId: series[i]!.storyId })),
      entryCorrected(series[8]!, { confirmation: 'reported' }, { storyId: series[8]!.storyId, recordedAt: '2022-01-28T10:00:00Z' }),
      ...[9, 55, 99].map((i) => entryRetracted(series[i]!, 'Could not be confirmed.', { storyId: series[i]!.storyId })),
    ];
    await producer.send(
      topic,
      [...series, early, ...meta].map((e) => eventMessage(e)),
    );
    await producer.send(topic, [{ key: 'story-2', value: '{"not":"an event"}' }, eventMessage(lateTarget)]);
    await waitForCaughtUp(ds, kafka, topic, 120_000);
  });
  afterAll(async () => {
    await Promise.all([projector?.stop(), api?.stop()]);
    await bed?.close();
  });

  it('rebuilds from Kafka into v2 with the live checksum while /v1/timeline keeps answering; new events then flow into v2', async () => {
    const before = await projectionChecksum(ds, 'live');
    expect(before.entries).toBeGreaterThan(200);
    expect(before.pending.rows).toBe(0);

    const poll = pollTimeline();
    const r = await cli(['rebuild', '--chunk', '10', '--max-rate', '150', '--drop-delay', '2']);
    const polled = await poll.stop();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rebuild v2: .* rebuilding from Kafka/);
    expect(r.stdout).toMatch(/switched the active projection from live to v2/);
    expect(await active()).toBe('v2');
    expectSame(before, await projectionChecksum(ds, 'v2'));
    expect(r.stdout).toContain(`checksum v2 ${before.digest}`);
    expect(polled.failures).toEqual([]);
    expect(polled.requests).toBeGreaterThan(20);

    const versions = await new ProjectionVersions(ds, config.database.schema).list();
    expect(versions.map((v) => [v.name, v.status, v.hasPartitions])).toEqual([
      ['live', 'retired', false],
      ['v2', 'active', true],
    ]);

    // The live projector's next batches write to v2, and the API serves them.
    const after = storyEvents(3, '2022-03-01T00:00:00Z', 'after-switch');
    await producer.send(
      topic,
      after.map((e) => eventMessage(e)),
    );
    const page = await waitFor(
      'the new events through the API',
      async () => {
        const body = (await (await fetch(`${api.url}/v1/timeline?tag=after-switch`)).json()) as { data: { id: string }[] };
        return body.data.length === 3 ? body.data : undefined;
      },
      60_000,
      200,
    );
    expect(page.map((e) => e.id).sort()).toEqual(after.map((e) => e.eventId).sort());
    const rows = await ds.query(`SELECT count(*)::int AS n FROM timeline_entries WHERE projection = 'v2' AND 'after-switch' = ANY(tags)`);
    expect(rows[0].n).toBe(3);
  });

  it('a rebuild killed midway (SIGKILL) resumes from its stored offsets and finishes with the same checksum', async () => {
    await waitForCaughtUp(ds, kafka, topic);
    const before = await projectionChecksum(ds, 'v2');
    const run = spawnCli(['rebuild', '--name', 'v3', '--chunk', '5', '--max-rate', '60'], env);
    await waitFor(
      'v3 partly built',
      async () => {
        if (run.done()) throw new Error(`the rebuild ended before it could be killed:\n${run.output()}`);
        const n = await ds.query(`SELECT count(*)::int AS n FROM entry_versions WHERE projection = 'v3'`).catch(() => [{ n: 0 }]);
        return n[0].n >= 40 ? true : undefined;
      },
      120_000,
      50,
    );
    const killed = await run.kill();
    expect(killed.signal).toBe('SIGKILL');
    expect(await statusOf('v3')).toBe('building');
    expect(await active()).toBe('v2');
    const partial = await projectionChecksum(ds, 'v3');
    expect(partial.versions).toBeGreaterThanOrEqual(40);
    expect(partial.versions).toBeLessThan(before.versions);

    const listed = await cli(['rebuild', '--list']);
    expect(listed.stdout).toMatch(/v3\s+building\s+kafka\s+.*interrupted/);

    const r = await cli(['rebuild', '--name', 'v3', '--drop-delay', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/resuming the interrupted build of "v3"/);
    expect(r.stdout).toMatch(/rebuilt v3 from kafka \(resumed\)/);
    expect(await active()).toBe('v3');
    expectSame(before, await projectionChecksum(ds, 'v3'));
  });

  it('rebuilds while events keep arriving, and verify then finds the active version equal to the log', async () => {
    const poll = pollTimeline();
    let publishing = true;
    let published = 0;
    const trickle = (async () => {
      for (let i = 0; publishing; i++) {
        const e = storyEvents(1, `2022-04-01T${String(i % 24).padStart(2, '0')}:00:00Z`, 'trickle')[0]!;
        await producer.send(topic, [eventMessage({ ...e, storyId: `story-${i % 5}` })]);
        published++;
        await sleep(40);
      }
    })();
    const r = await cli(['rebuild', '--name', 'v4', '--chunk', '25', '--max-rate', '200', '--drop-delay', '1']);
    publishing = false;
    await trickle;
    const polled = await poll.stop();
    if (r.code !== 0) throw new Error(`rebuild exited ${r.code}:\n${r.stderr.slice(-3000)}`);
    expect(published).toBeGreaterThan(10);
    await waitForCaughtUp(ds, kafka, topic);
    expect(await active()).toBe('v4');
    const rows = await ds.query(`SELECT count(*)::int AS n FROM timeline_entries WHERE projection = 'v4' AND 'trickle' = ANY(tags)`);
    expect(rows[0].n).toBe(published);
    expect(polled.failures).toEqual([]);

    const v = await cli(['verify']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/OK: v4 equals the projection rebuilt from event_log/);
  });

  it('rebuilds from event_log alone when the topic was deleted and recreated empty, with the same checksum', async () => {
    await waitForCaughtUp(ds, kafka, topic);
    await projector!.stop();
    projector = undefined;
    const before = await projectionChecksum(ds, await active());
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(
      'the topic recreated empty',
      async () => {
        await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
        const marks = await admin.fetchTopicOffsets(topic);
        return marks.every((m) => m.high === '0') ? true : undefined;
      },
      60_000,
      500,
    );
    const poll = pollTimeline();
    const r = await cli(['rebuild', '--name', 'v5', '--drop-delay', '1']);
    const polled = await poll.stop();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/holds 0 messages but the archive holds \d+ events .*rebuilding from the event_log archive/);
    expect(r.stdout).toMatch(/rebuilt v5 from event_log/);
    expect(await active()).toBe('v5');
    expectSame(before, await projectionChecksum(ds, 'v5'));
    expect(polled.failures).toEqual([]);
    // An explicit --from kafka is refused instead of silently losing the events Kafka no longer has.
    const refused = await cli(['rebuild', '--name', 'v6', '--from', 'kafka']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot rebuild from Kafka: .*use --from event-log/);
  });

  it('verify reports a divergence day by day and exits non-zero', async () => {
    await ds.query(
      `UPDATE timeline_entries SET summary = 'tampered by a buggy projector' WHERE projection = $1 AND occurred_at = '2022-01-24T00:00:00Z'
         AND entry_id = (SELECT entry_id FROM timeline_entries WHERE projection = $1 AND occurred_at = '2022-01-24T00:00:00Z' ORDER BY entry_id LIMIT 1)`,
      [await active()],
    );
    const v = await cli(['verify']);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/DIFF 2022-01-24 timeline_entries: active \d+ rows md5 \w+ \| reference \d+ rows md5 \w+/);
    expect(v.stdout).toMatch(/DIVERGENCE: 1 difference\(s\) on 1 day\(s\)/);
    expect(await new ProjectionVersions(ds, config.database.schema).list().then((l) => l.map((x) => x.name))).not.toContainEqual(
      expect.stringMatching(/^verify_/),
    );
  });
});
