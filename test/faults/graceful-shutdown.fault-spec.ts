import type { QueryRunner } from 'typeorm';
import { expectOffsetsMatchArchive, sleep, waitFor, waitForOpenTransaction, type RunningApp } from '../support/index.js';
import { recordFaultResult, useFaultHarness } from './fault-harness.js';

/**
 * Fault 9: SIGTERM while a batch transaction is open — once in the middle of ordinary batches under
 * load, once while a batch is stuck waiting for a row lock (a slow database). Either way the process
 * exits cleanly within 10 s and no transaction is half-applied.
 */
describe('fault: graceful shutdown during a batch', () => {
  const scenario = useFaultHarness({ partitions: 3, env: { PROJECTOR_SESSION_TIMEOUT_SECONDS: '10' } });

  const sigterm = async (app: RunningApp) => {
    const started = Date.now();
    const exit = await app.stop(20_000);
    return { exit, ms: Date.now() - started };
  };
  const sessionsOf = (h = scenario.harness()) =>
    h.count('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [h.projectorSession]);

  it('SIGTERM inside a batch: clean exit within 10 s, nothing half-applied, restart completes the work', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const ingest = await h.start('ingest');
    const load = h.load(ingest, { batchSize: 50, concurrency: 2, eventsPerSecond: 800 }).start();

    // 1. Under load, inside an ordinary batch transaction.
    const first = await h.start('projector');
    await h.waitForArchived(1000);
    await waitForOpenTransaction(h.ds, h.projectorSession);
    const busy = await sigterm(first);
    h.mark(`SIGTERM in a batch: exit ${busy.exit.code} after ${busy.ms} ms`);
    expect(busy.exit).toEqual({ code: 0, signal: null });
    expect(busy.ms).toBeLessThan(10_000);
    expect(first.output()).toContain('shutdown complete');
    await expectOffsetsMatchArchive(h.ds, h.topic);
    expect(await sessionsOf()).toBe(0);

    // 2. A batch blocked on a row lock another session holds (the fence row of every partition).
    const second = await h.start('projector');
    await h.waitForArchived(2000);
    let blocker: QueryRunner | undefined = h.ds.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query('SELECT * FROM projector_offsets WHERE topic = $1 FOR UPDATE', [h.topic]);
    try {
      await waitFor(
        'a batch waiting for the lock',
        async () =>
          (await h.count(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [
            h.projectorSession,
          ])) > 0
            ? true
            : undefined,
        60_000,
        20,
      );
      const blocked = await sigterm(second);
      h.mark(`SIGTERM while blocked on a lock: exit ${blocked.exit.code} after ${blocked.ms} ms`);
      expect(blocked.exit).toEqual({ code: 0, signal: null });
      expect(blocked.ms).toBeLessThan(10_000);
    } finally {
      await blocker.rollbackTransaction();
      await blocker.release();
      blocker = undefined;
    }
    await expectOffsetsMatchArchive(h.ds, h.topic);
    expect(await sessionsOf()).toBe(0);

    // 3. A fresh instance finishes the work.
    await h.start('projector');
    await sleep(2000);
    const report = await load.stop();
    expect(report.unexpected).toEqual([]);
    const result = await h.check({
      accepted: report.accepted,
      stoppedPids: [first.child.pid, second.child.pid],
    });
    expect(result.archived).toBe(report.accepted.length);
    await expectOffsetsMatchArchive(h.ds, h.topic);
    recordFaultResult('graceful-shutdown', t0, { busyExitMs: busy.ms, ...result, phases: h.phases });
  }, 300_000);
});
