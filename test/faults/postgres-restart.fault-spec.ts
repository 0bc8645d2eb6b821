import { expectOffsetsMatchArchive, metricValue, processAlive, sleep, waitForOpenTransaction } from '../support/index.js';
import { expectEveryRequestAccepted, recordFaultResult, useFaultHarness } from './fault-harness.js';

/**
 * Fault 3: PostgreSQL shuts down (fast shutdown: sessions terminated mid-transaction) and restarts
 * while the projector works through a backlog. Runs on a PRIVATE PostgreSQL server.
 */
describe('fault: PostgreSQL stopped and restarted during projection', () => {
  const scenario = useFaultHarness({ privateInfra: { kafka: false, postgres: true } });

  it('the projector retries with growing backoff while the database is down and skips nothing', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const infra = scenario.infra();
    const ingest = await h.start('ingest');
    const projector = await h.start('projector');
    const load = h.load(ingest, { batchSize: 50, concurrency: 2, eventsPerSecond: 800 }).start();
    await h.waitForArchived(1000);
    await waitForOpenTransaction(h.ds, h.projectorSession);
    const pgPid = infra.postgresPid();
    await infra.stopPostgres('SIGINT');
    h.mark('postgres stopped');

    // Down long enough for several backoff steps (250 ms, 500 ms, 1 s, 2 s, 4 s …).
    await sleep(10_000);
    expect(processAlive(projector.child.pid!)).toBe(true);
    expect((await fetch(`${projector.url}/health`)).status).toBe(503);
    await infra.up();
    h.mark('postgres restarted');
    await sleep(3000);
    const report = await load.stop();
    expectEveryRequestAccepted(report);

    const result = await h.check({
      accepted: report.accepted,
      stoppedPids: [pgPid],
      lagBoundMs: 120_000,
    });
    h.mark('checked');
    expect(result.archived).toBe(report.accepted.length);
    await expectOffsetsMatchArchive(h.ds, h.topic);

    // Retried, not crashed: the same process, and its retry delays grew while the outage lasted.
    expect(processAlive(projector.child.pid!)).toBe(true);
    const retries = metricValue(await (await fetch(`${projector.url}/metrics`)).text(), 'timeline_projector_retries_total');
    expect(retries).toBeGreaterThanOrEqual(3);
    const delays = retryDelays(projector.output());
    expect(Math.max(...delays)).toBeGreaterThanOrEqual(2 * Math.min(...delays));
    expect(projector.output()).not.toContain('"level":60');
    recordFaultResult('postgres-restart', t0, {
      retries,
      maxRetryDelayMs: Math.max(...delays),
      ...result,
      phases: h.phases,
    });
  }, 400_000);
});

/** `retryInMs` of every "rolled back, retrying" log line. */
function retryDelays(output: string): number[] {
  const delays: number[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes('retrying')) continue;
    const m = /"retryInMs":(\d+)/.exec(line);
    if (m) delays.push(Number(m[1]));
  }
  if (delays.length === 0) throw new Error(`no retry was logged:\n${output.slice(-3000)}`);
  return delays;
}
