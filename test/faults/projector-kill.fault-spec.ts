import { checkFaultInvariants, expectOffsetsMatchArchive, sleep, waitFor, waitForOpenTransaction } from '../support/index.js';
import { openFaultHarness, recordFaultResult, type FaultHarness } from './fault-harness.js';

/** Fault 1: `kill -9` the projector inside a batch transaction while ingest keeps accepting events. */
describe('fault: projector killed mid-batch under sustained ingest', () => {
  let h: FaultHarness;
  beforeAll(async () => {
    // 10 s instead of 30 s: the restarted instance waits for the killed member's session to expire.
    h = await openFaultHarness({ partitions: 3, env: { PROJECTOR_SESSION_TIMEOUT_SECONDS: '10' } });
  });
  afterAll(async () => {
    await h?.close();
  }, 120_000);

  it('SIGKILL inside a batch, restart: every accepted event projected exactly once, lag back to 0', async () => {
    const t0 = Date.now();
    const ingest = await h.start('ingest');
    const api = await h.start('timeline-api');
    const first = await h.start('projector');
    const load = h.load(ingest, { batchSize: 50, concurrency: 2, eventsPerSecond: 500 }).start();

    await waitFor(
      'events flowing through the projector',
      async () => ((await h.count('SELECT count(*) AS n FROM event_log')) > 500 ? true : undefined),
      60_000,
    );
    h.mark('projecting');
    await waitForOpenTransaction(h.ds, h.projectorSession);
    await first.kill();
    h.mark('killed');
    const archivedAtKill = await h.count('SELECT count(*) AS n FROM event_log');
    // The transaction the kill interrupted rolled back whole: rows and offsets still agree.
    await expectOffsetsMatchArchive(h.ds, h.topic);

    // Ingest keeps accepting while no projector runs; the backlog waits in Kafka.
    const acceptedAtKill = load.acceptedCount;
    await sleep(3000);
    expect(load.acceptedCount).toBeGreaterThan(acceptedAtKill);

    const second = await h.start('projector');
    h.mark('restarted');
    await sleep(3000);
    const report = await load.stop();
    expect(report.unexpected).toEqual([]);
    expect(report.transportErrors).toBe(0);
    expect(report.mismatched).toBe(0);
    expect(report.statuses).toEqual({ '202': report.requests });

    const result = await checkFaultInvariants({
      ds: h.ds,
      kafka: h.kafka,
      topic: h.topic,
      accepted: report.accepted,
      apiUrl: api.url,
      stoppedPids: [first.child.pid],
      lagBoundMs: 120_000,
    });
    h.mark('checked');
    expect(result.archived).toBe(report.accepted.length);
    await expectOffsetsMatchArchive(h.ds, h.topic);
    expect(second.output()).not.toContain('"level":60');
    recordFaultResult('projector-kill', t0, { archivedAtKill, ...result, phases: h.phases });
  }, 300_000);
});
