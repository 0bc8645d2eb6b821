import { openEventStream, sleep, waitFor } from '../support/index.js';
import { recordFaultResult, useFaultHarness } from './fault-harness.js';

/**
 * Fault: the broker goes away while newsroom dashboards read (issue 12, "the read side needs
 * PostgreSQL only"). Runs on a PRIVATE broker: the shared one is never stopped.
 *
 * Invariants: every read (`/v1/timeline`, the dashboard page, `/health`) answers 200 throughout the
 * outage; an open SSE stream stays open and delivers again once the broker is back; a timeline API
 * started while the broker is unreachable becomes ready (it never needed Kafka).
 */
describe('fault: Kafka down while the read side serves', () => {
  const scenario = useFaultHarness({ privateInfra: { kafka: true, postgres: false } });

  it('keeps reads at 200, keeps streams open, and starts a new API without a broker', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const infra = scenario.infra();
    const ingest = await h.start('ingest');
    await h.start('projector');
    const api = await h.start('timeline-api');
    const load = h.load(ingest, { batchSize: 20, concurrency: 1, eventsPerSecond: 100 }).start();
    await h.waitForArchived(200);
    await load.stop();
    h.mark('projecting');

    const stream = await openEventStream(`${api.url}/v1/stream`);
    expect(stream.status).toBe(200);
    await stream.waitForEvent((e) => e.event === 'ready', 15_000, 'ready');

    await infra.stopKafka('SIGTERM');
    h.mark('broker stopped');
    const statuses: Record<string, number[]> = { timeline: [], dashboard: [], health: [] };
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      const [timeline, dashboard, health] = await Promise.all([
        fetch(`${api.url}/v1/timeline?limit=20`),
        fetch(`${api.url}/`),
        fetch(`${api.url}/health`),
      ]);
      statuses.timeline!.push(timeline.status);
      statuses.dashboard!.push(dashboard.status);
      statuses.health!.push(health.status);
      await Promise.all([timeline.text(), dashboard.text(), health.text()]);
      await sleep(250);
    }
    for (const [what, seen] of Object.entries(statuses)) {
      expect({ what, notOk: seen.filter((s) => s !== 200) }).toEqual({ what, notOk: [] });
    }
    h.mark('reads served while down');

    // A fresh API process with no broker to talk to is ready as soon as PostgreSQL is.
    const started = Date.now();
    const fresh = await h.start('timeline-api');
    const startSeconds = (Date.now() - started) / 1000;
    expect((await fetch(`${fresh.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${fresh.url}/v1/timeline?limit=5`)).status).toBe(200);
    h.mark('API started without a broker');

    await infra.up();
    h.mark('broker restarted');
    const before = stream.events.filter((e) => e.event === 'entry').length;
    const again = h.load(ingest, { batchSize: 5, concurrency: 1, eventsPerSecond: 20 }).start();
    await waitFor(
      'the open stream delivering again',
      () => (stream.events.filter((e) => e.event === 'entry').length > before ? true : undefined),
      120_000,
      200,
    );
    const report = await again.stop();
    h.mark('stream delivered again');
    expect(report.unexpected).toEqual([]);
    stream.close();

    recordFaultResult('read-side-kafka-down', t0, {
      readsDuringOutage: statuses.timeline!.length,
      freshApiStartSeconds: startSeconds,
      phases: h.phases,
    });
  }, 300_000);
});
