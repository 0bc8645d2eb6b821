import { processAlive, sleep, waitFor } from '../support/index.js';
import { recordFaultResult, useFaultHarness } from './fault-harness.js';

/**
 * Fault 2: the Kafka broker stops (controlled shutdown) and comes back while ingest is under load.
 * Runs on a PRIVATE broker (tools/infra in a temp folder): the shared one is never stopped.
 */
describe('fault: Kafka broker stopped and restarted during ingest', () => {
  const scenario = useFaultHarness({ privateInfra: { kafka: true, postgres: false } });

  it('ingest answers 503 + Retry-After (never 202) while the broker is down; the projector resumes by itself', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const infra = scenario.infra();
    const ingest = await h.start('ingest');
    const projector = await h.start('projector');
    const load = h.load(ingest, { batchSize: 50, concurrency: 2, eventsPerSecond: 500 }).start();
    await h.waitForArchived(1000);
    h.mark('projecting');

    const brokerPid = infra.kafkaPid();
    await infra.stopKafka('SIGTERM');
    h.mark('broker stopped');
    const acceptedWhileUp = load.acceptedCount;
    await waitFor('ingest to answer 503', () => (load.count(503) >= 2 ? true : undefined), 90_000, 100);
    h.mark('503 seen');
    await sleep(3000);
    // No 202 while the broker is down: only requests answered before the stop may have been accepted.
    const acceptedWhileDown = load.acceptedCount - acceptedWhileUp;
    expect(acceptedWhileDown).toBeLessThanOrEqual(2 * 50); // at most the two batches in flight at the stop

    await infra.up();
    h.mark('broker restarted');
    const afterRestart = load.acceptedCount;
    await waitFor('ingest to accept again', () => (load.acceptedCount > afterRestart + 500 ? true : undefined), 120_000, 100).catch(
      (err: Error) => {
        // What ingest said last (its publish errors name the Kafka error), so a CI log shows why.
        const said = ingest
          .output()
          .split('\n')
          .filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"'));
        throw new Error(
          `${err.message}; 503s ${load.count(503)}, transport errors ${load.count('transport')}; ingest's last warnings:\n${said.slice(-3).join('\n').slice(0, 3000)}`,
        );
      },
    );
    h.mark('accepting again');
    const report = await load.stop();

    expect(report.unexpected).toEqual([]);
    expect(report.badUnavailable).toEqual([]);
    expect(report.mismatched).toBe(0);
    expect(report.statuses['503']).toBeGreaterThan(0);

    const result = await h.check({
      accepted: report.accepted,
      stoppedPids: [brokerPid],
      lagBoundMs: 120_000,
    });
    h.mark('checked');
    // The very same projector process recovered (no restart by an orchestrator).
    expect(processAlive(projector.child.pid!)).toBe(true);
    expect((await fetch(`${projector.url}/health`)).status).toBe(200);
    recordFaultResult('kafka-restart', t0, {
      answered503: report.statuses['503'],
      eventsIn503: report.unavailable.length,
      ...result,
      phases: h.phases,
    });
  }, 400_000);
});
