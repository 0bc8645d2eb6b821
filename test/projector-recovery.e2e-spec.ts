import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  eventMessage,
  eventSeries,
  metricValue,
  projectorTestbed,
  shuffled,
  sleep,
  startApp,
  testConfig,
  waitFor,
  waitForCaughtUp,
  type ProjectorTestbed,
  type RunningApp,
} from './support/index.js';

/** Crash, shutdown, outage and scale-out of the built projector process, on real Kafka and Postgres. */
describe('projector recovery e2e', () => {
  let bed: ProjectorTestbed;
  let ds: DataSource;
  let kafka: Kafka;
  let producer: ProjectorTestbed['producer'];
  const apps: RunningApp[] = [];
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '4' });
  const topic = config.kafka.eventsTopic;
  let published = 0;

  const count = (sql: string) => bed.count(sql);
  const start = async (overrides: Record<string, string> = {}) => {
    const app = await startApp('projector', { ...env, ...overrides });
    apps.push(app);
    return app;
  };
  /** Publishes `n` new distinct events spread over the partitions. */
  const publish = async (n: number) => {
    const events = eventSeries(n, Date.parse('2021-11-10T00:00:00Z') + published * 60_000).map((e, i) => ({
      ...e,
      storyId: `story-${(published + i) % 11}`,
    }));
    published += n;
    await producer.send(
      topic,
      shuffled(events, published).map((e) => eventMessage(e)),
    );
  };
  /**
   * The invariant a crash must never break: per partition, the events archived equal the offsets
   * stored (every published message is a distinct valid event) — so no batch was half-applied.
   */
  const assertOffsetsMatchArchive = async () => {
    const rows: { partition: number; stored: string; archived: string }[] = await ds.query(
      `SELECT po.partition, po.next_offset::text AS stored,
              (SELECT count(*) FROM event_log e WHERE e.source_topic = po.topic AND e.source_partition = po.partition)::text AS archived
       FROM projector_offsets po WHERE po.topic = $1`,
      [topic],
    );
    for (const r of rows) expect({ partition: r.partition, archived: r.archived }).toEqual({ partition: r.partition, archived: r.stored });
    expect(await count(`SELECT count(*) AS n FROM timeline_entries`)).toBe(await count(`SELECT count(*) AS n FROM event_log`));
  };
  const assertExact = async () => {
    await waitForCaughtUp(ds, kafka, topic, 120_000);
    expect(await count(`SELECT count(*) AS n FROM event_log`)).toBe(published);
    expect(await count(`SELECT count(*) AS n FROM timeline_entries WHERE projection = 'live'`)).toBe(published);
    expect(await count(`SELECT count(*) AS n FROM entry_versions WHERE projection = 'live'`)).toBe(published);
    await assertOffsetsMatchArchive();
  };

  beforeAll(async () => {
    bed = await projectorTestbed(config, 4);
    ({ ds, kafka, producer } = bed);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await bed.close();
  });

  it('kill -9 in the middle of large batches, then restart: exact counts, no duplicates, no gaps', async () => {
    await publish(12_000);
    const first = await start();
    let atKill = 0;
    await waitFor(
      'the first committed batch',
      async () => {
        atKill = await count(`SELECT count(*) AS n FROM event_log`);
        return atKill > 0 ? true : undefined;
      },
      60_000,
      5,
    );
    await first.kill();
    // The kill landed while the projector was still working through the backlog.
    expect(atKill).toBeLessThan(published);
    await assertOffsetsMatchArchive();

    await start();
    await assertExact();
  }, 240_000);

  it('SIGTERM while consuming: exits 0 within 10 s, the in-flight batch commits or rolls back whole', async () => {
    const running = apps.at(-1)!;
    const before = await count(`SELECT count(*) AS n FROM event_log`);
    await publish(4000);
    await waitFor(
      'consumption to start',
      async () => ((await count(`SELECT count(*) AS n FROM event_log`)) > before ? true : undefined),
      60_000,
      5,
    );
    const t0 = Date.now();
    const exit = await running.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(running.output()).toContain('shutdown complete');
    await assertOffsetsMatchArchive();

    await start();
    await assertExact();
  }, 240_000);

  it('a Postgres outage (its sessions terminated mid-batch) is retried: nothing skipped, nothing doubled', async () => {
    const running = apps.at(-1)!;
    await publish(4000);
    const retries = async () => metricValue(await (await fetch(`${running.url}/metrics`)).text(), 'timeline_projector_retries_total');
    // Kill the projector's database sessions (found by application_name, which carries the client id)
    // until at least one batch transaction failed and was retried.
    await waitFor(
      'a retried batch',
      async () => {
        await ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [
          `projector ${config.kafka.clientId}`,
        ]);
        await sleep(50);
        return (await retries()) > 0 ? true : undefined;
      },
      60_000,
      20,
    );
    expect(running.output()).toContain('retrying');
    await assertExact();
    const health = await fetch(`${running.url}/health`);
    expect(health.status).toBe(200);
  }, 240_000);

  it('two instances in one group split the partitions and together apply every event exactly once', async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()));
    const before = published;
    await publish(3000);
    const a = await start();
    await waitFor(
      'instance A to consume',
      async () => ((await count(`SELECT count(*) AS n FROM event_log`)) > before ? true : undefined),
      60_000,
      5,
    );
    // B joins while A works through the backlog: a rebalance in mid-stream.
    const b = await start();
    const assigned = async (app: RunningApp) =>
      ((await (await fetch(`${app.url}/health`)).json()) as { checks: { projector: { assignedPartitions: number[] } } }).checks.projector
        .assignedPartitions;
    await waitFor(
      'both instances to own partitions',
      async () => {
        const [pa, pb] = await Promise.all([assigned(a), assigned(b)]);
        return pa.length > 0 && pb.length > 0 && [...pa, ...pb].sort().join() === '0,1,2,3' ? true : undefined;
      },
      60_000,
      200,
    );
    // More events once both own partitions, so each instance has work whatever the timing above.
    await publish(1200);
    await assertExact();

    const applied = await Promise.all(
      [a, b].map(async (app) => metricValue(await (await fetch(`${app.url}/metrics`)).text(), 'timeline_projector_events_applied_total')),
    );
    expect(applied[0]! + applied[1]!).toBe(published - before);
    expect(applied[1]).toBeGreaterThan(0);
  }, 240_000);
});
