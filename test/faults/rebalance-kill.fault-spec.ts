import { expectOffsetsMatchArchive, sleep, waitFor, type RunningApp } from '../support/index.js';
import { expectEveryRequestAccepted, recordFaultResult, useFaultHarness } from './fault-harness.js';

/** Fault 4: a second projector joins the group; the first is `kill -9`ed while the rebalance is in progress. */
describe('fault: projector killed during a consumer-group rebalance', () => {
  // A short session timeout keeps the wait for the dead member's eviction short; the behaviour is the same.
  const scenario = useFaultHarness({ partitions: 4, env: { PROJECTOR_SESSION_TIMEOUT_SECONDS: '10' } });

  it('the survivor takes over every partition and the counts are exact', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const ingest = await h.start('ingest');
    const api = await h.start('timeline-api');
    const a = await h.start('projector');
    const load = h.load(ingest, { batchSize: 50, concurrency: 2, eventsPerSecond: 500 }).start();
    await h.waitForArchived(1000);

    // B's JoinGroup moves the group into a rebalance that waits for A to rejoin: kill A right then.
    const groupId = h.config.projector.groupId;
    const bStarting = h.start('projector');
    const state = await waitFor(
      'the group to start rebalancing',
      async () => {
        const { groups } = await h.admin.describeGroups([groupId]);
        const s = groups[0]?.state;
        return s === 'PreparingRebalance' || s === 'CompletingRebalance' ? s : undefined;
      },
      60_000,
      10,
    );
    await a.kill();
    h.mark(`A killed in ${state}`);

    const b: RunningApp = await bStarting;
    h.mark('B joined');
    const assigned = async () =>
      ((await (await fetch(`${b.url}/health`)).json()) as { checks: { projector: { assignedPartitions: number[] } } }).checks.projector
        .assignedPartitions;
    await waitFor('B to own every partition', async () => ((await assigned()).join() === '0,1,2,3' ? true : undefined), 90_000, 200);
    h.mark('B owns all partitions');
    await sleep(3000);
    const report = await load.stop();
    expectEveryRequestAccepted(report);

    const result = await h.check({
      accepted: report.accepted,
      apiUrl: api.url,
      stoppedPids: [a.child.pid],
    });
    h.mark('checked');
    expect(result.archived).toBe(report.accepted.length);
    await expectOffsetsMatchArchive(h.ds, h.topic);
    recordFaultResult('rebalance-kill', t0, { killedIn: state, ...result, phases: h.phases });
  }, 300_000);
});
