import fs from 'node:fs';
import path from 'node:path';
import { DLQ_HEADERS } from '@timeline/kafka';
import {
  ForeignProducerPlan,
  eventSeries,
  processAlive,
  readTopic,
  runCli,
  waitFor,
  type ForeignRecord,
  type JavaCompression,
  type RawEvent,
} from '../support/index.js';
import { recordFaultResult, useFaultHarness } from './fault-harness.js';

const CODECS: readonly JavaCompression[] = ['snappy', 'lz4', 'zstd', 'gzip'];
const CORRUPT_PARTITION = 2;

/**
 * Fault 10 (issue 11): foreign producers and a corrupt record batch. On a PRIVATE broker, Kafka's own
 * Java client writes valid envelopes with every codec, one committed and one aborted transaction, and
 * a batch on partition 2 whose bytes are then damaged on the broker's disk (its CRC no longer
 * matches: what a disk fault or a buggy tool leaves behind — the broker serves stored bytes as they
 * are). Then the projector runs under ingest load.
 *
 * Invariants: the same projector process all along (never restarted); partition 2 parked at the bad
 * batch — `/health` degraded naming topic, partition, offsets and cause, the parked-partitions metric
 * set — while partitions 0 and 1 drain; after `cli skip` (a `PARTITION.SKIPPED` dead letter) lag
 * returns to 0; every committed record and every event ingest accepted is in the timeline exactly
 * once; no record of the aborted transaction is.
 */
describe('fault: foreign producers and a corrupt batch', () => {
  const scenario = useFaultHarness({ privateInfra: { kafka: true, postgres: false } });

  it('parks only the corrupt partition, projects every committed foreign record once, and resumes after cli skip', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const infra = scenario.infra();
    const topic = h.topic;
    const brokers = infra.kafkaBrokers;
    const record = (e: RawEvent, partition?: number): ForeignRecord => ({
      topic,
      key: String(e.storyId),
      value: JSON.stringify(e),
      ...(partition !== undefined ? { partition } : {}),
    });
    const series = (tag: string, n: number, start: string) =>
      eventSeries(n, Date.parse(start)).map((e, i) => ({ ...e, storyId: `story-${i % 5}`, tags: [tag] }));

    const byCodec = CODECS.map((c, i) => [c, series(`codec-${c}`, 15, `2022-01-0${i + 1}T00:00:00Z`)] as const);
    const committed = series('tx-committed', 6, '2022-01-10T00:00:00Z');
    const aborted = series('tx-aborted', 6, '2022-01-11T00:00:00Z');
    const corrupt = series('corrupt', 3, '2022-01-12T00:00:00Z').map((e) => ({ ...e, summary: `CORRUPT-ME ${e.eventId}` }));
    const after = series('after-corrupt', 4, '2022-01-13T00:00:00Z');

    const plan = new ForeignProducerPlan();
    for (const [codec, events] of byCodec)
      plan
        .producer(codec, codec)
        .send(codec, ...events.map((e) => record(e)))
        .flush(codec);
    plan
      .producer('tx', 'lz4', `fault-10-${Date.now()}`)
      .begin('tx')
      .send('tx', ...committed.map((e) => record(e)))
      .commit('tx');
    plan
      .begin('tx')
      .send('tx', ...aborted.map((e) => record(e)))
      .abort('tx')
      .close('tx');
    // One uncompressed batch of three on partition 2 (damaged below), then valid records after it.
    plan
      .producer('plain', 'none')
      .send('plain', ...corrupt.map((e) => record(e, CORRUPT_PARTITION)))
      .flush('plain');
    plan.send('plain', ...after.map((e) => record(e, CORRUPT_PARTITION))).flush('plain');
    await plan.run(brokers);
    h.mark('foreign records written');

    // Damage the batch on disk while the broker is stopped (a clean shutdown: no log recovery on start).
    await infra.stopKafka('SIGTERM');
    const segment = path.join(infra.dataDir, 'kafka', 'kraft-logs', `${topic}-${CORRUPT_PARTITION}`, '00000000000000000000.log');
    const bytes = fs.readFileSync(segment);
    const at = bytes.indexOf(Buffer.from('CORRUPT-ME'));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'X'.charCodeAt(0);
    fs.writeFileSync(segment, bytes);
    await infra.up();
    h.mark('batch damaged on disk');

    const ingest = await h.start('ingest');
    const projector = await h.start('projector');
    const pid = projector.child.pid;
    const load = h.load(ingest, { batchSize: 20, concurrency: 1, eventsPerSecond: 200 }).start();

    const parked = await waitFor(
      'partition 2 parked (health degraded)',
      async () => {
        const body = (await (await fetch(`${projector.url}/health`)).json()) as {
          status: string;
          checks: {
            projector: { parked?: { partition: number; firstOffset: string; lastOffset: string; cause: string; remedy: string }[] };
          };
        };
        return body.status === 'degraded' ? body.checks.projector.parked : undefined;
      },
      120_000,
      500,
    );
    h.mark('partition parked');
    expect(parked).toEqual([expect.objectContaining({ partition: CORRUPT_PARTITION, cause: 'BAD_CRC' })]);
    const bad = parked![0]!;
    expect(BigInt(bad.lastOffset) - BigInt(bad.firstOffset)).toBe(2n);
    expect(bad.remedy).toContain(`--partition ${CORRUPT_PARTITION} --to-offset ${BigInt(bad.lastOffset) + 1n}`);
    const metrics = await (await fetch(`${projector.url}/metrics`)).text();
    expect(metrics.split('\n').filter((l) => l.startsWith('timeline_projector_parked'))).toEqual([
      `timeline_projector_parked_partitions{partition="${CORRUPT_PARTITION}",cause="BAD_CRC",service="projector"} 1`,
    ]);
    expect(projector.output()).toContain(`partition ${CORRUPT_PARTITION} parked at offset ${bad.firstOffset}`);

    // The other partitions drain while 2 is parked (their stored offsets reach the high watermarks).
    await waitFor(
      'partitions 0 and 1 caught up while 2 is parked',
      async () => {
        const marks = await h.admin.fetchTopicOffsets(topic);
        const stored = new Map(
          ((await h.ds.query('SELECT partition, next_offset::text AS o FROM projector_offsets')) as { partition: number; o: string }[]).map(
            (r) => [r.partition, r.o],
          ),
        );
        return marks.filter((m) => m.partition !== CORRUPT_PARTITION).every((m) => stored.get(m.partition) === m.high) ? true : undefined;
      },
      120_000,
      500,
    );
    h.mark('others drained');

    const skip = await runCli(
      [
        'skip',
        '--partition',
        String(CORRUPT_PARTITION),
        '--to-offset',
        String(BigInt(bad.lastOffset) + 1n),
        '--reason',
        'fault 10: CRC mismatch after a disk fault',
        '--by',
        'fault-10',
      ],
      h.env,
    );
    expect({ code: skip.code, stderr: skip.stderr }).toEqual({ code: 0, stderr: '' });
    h.mark('skipped');
    await waitFor(
      'health back to up',
      async () => ((await (await fetch(`${projector.url}/health`)).json()) as { status: string }).status === 'up' || undefined,
      60_000,
      500,
    );
    const report = await load.stop();
    expect(report.unexpected).toEqual([]);

    const foreign = [...byCodec.flatMap(([, e]) => e), ...committed, ...after].map((e) => e.eventId);
    const result = await h.check({ accepted: [...report.accepted, ...foreign], lagBoundMs: 120_000 });
    h.mark('checked');
    const notProjected = (await h.ds.query('SELECT count(*)::int AS n FROM event_log WHERE event_id = ANY($1::uuid[])', [
      [...aborted, ...corrupt].map((e) => e.eventId),
    ])) as { n: number }[];
    expect(notProjected[0]!.n).toBe(0);
    const letters = await readTopic(h.kafka, h.dlqTopic, 30_000);
    expect(letters.filter((l) => l.headers[DLQ_HEADERS.reasonCode] === 'PARTITION.SKIPPED')).toHaveLength(1);
    // A rebuild from Kafka reads over the skipped range exactly as the live projection did.
    const rebuild = await runCli(['rebuild', '--from', 'kafka', '--drop-delay', '0'], h.env, 240_000);
    if (rebuild.code !== 0) throw new Error(`rebuild exited ${rebuild.code}:\n${rebuild.stderr.slice(-3000)}`);
    h.mark('rebuilt from Kafka');
    await h.check({ accepted: [...report.accepted, ...foreign], lagBoundMs: 120_000 });
    // The same process all along: parked, never crashed or restarted.
    expect(projector.child.pid).toBe(pid);
    expect(processAlive(pid!)).toBe(true);
    expect(projector.output()).not.toContain('"level":60');
    recordFaultResult('foreign-producers', t0, {
      foreignRecords: foreign.length,
      abortedNotProjected: aborted.length,
      parkedAt: `${CORRUPT_PARTITION}@${bad.firstOffset}..${bad.lastOffset}`,
      ...result,
      phases: h.phases,
    });
  }, 400_000);
});
