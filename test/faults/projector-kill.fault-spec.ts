import { expectOffsetsMatchArchive, sleep, waitForOpenTransaction } from '../support/index.js';
import { expectEveryRequestAccepted, recordFaultResult, useFaultHarness } from './fault-harness.js';

/** Fault 1: `kill -9` the projector inside a batch transaction while ingest keeps accepting events. */
describe('fault: projector killed mid-batch under sustained ingest', () => {
  // 10 s instead of 30 s: the restarted instance waits for the killed member's session to expire.
  const scenario = useFaultHarness({ partitions: 3, env: { PROJECTOR_SESSION_TIMEOUT_SECONDS: '10' } });

  it('SIGKILL inside a batch, restart: every accepted event projected exactly once, lag back to 0', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const ingest = await h.start('ingest');
    const api = await h.start('timeline-api');
    const first = await h.start('projector');
    const load = h.load(ingest, { batchSize: 50, concurrency: 2, eventsPerSecond: 500 }).start();

    await h.waitForArchived(500);
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
    expectEveryRequestAccepted(report);

    const result = await h.check({
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
