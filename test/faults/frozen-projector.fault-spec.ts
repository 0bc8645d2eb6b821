import type { DataSource } from 'typeorm';
import { expectOffsetsMatchArchive, sleep, waitFor, waitForOpenTransaction, type RunningApp } from '../support/index.js';
import { expectEveryRequestAccepted, recordFaultResult, useFaultHarness } from './fault-harness.js';

const SESSION_TIMEOUT_S = 10;

/** Sessions of `applicationName` inside a transaction that holds a partition's fence (OffsetStore.lockPartition). */
async function openBatchTransactions(ds: DataSource, applicationName: string): Promise<number> {
  const rows: { n: number }[] = await ds.query(
    `SELECT count(DISTINCT a.pid)::int AS n FROM pg_stat_activity a
     JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
     WHERE a.application_name = $1 AND a.xact_start IS NOT NULL`,
    [applicationName],
  );
  return rows[0]!.n;
}

interface ProjectorHealth {
  status: number;
  projector: { state: string; assignedPartitions: number[]; detail?: string };
}
async function projectorHealth(app: RunningApp): Promise<ProjectorHealth> {
  const res = await fetch(`${app.url}/health`);
  const body = (await res.json()) as { checks: { projector: ProjectorHealth['projector'] } };
  return { status: res.status, projector: body.checks.projector };
}

/**
 * Fault 11 (issue 11): one of two projectors is frozen (`SIGSTOP`) inside a batch transaction, under
 * ingest load, for longer than the session timeout. Nothing but the projector's own session bounds
 * (PROJECTOR_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS / PROJECTOR_LOCK_TIMEOUT_SECONDS at their defaults,
 * derived from the session timeout) frees the fence rows it holds: the survivor must own and drain
 * every partition while the frozen one is still stopped; resumed, the frozen one finds its transactions
 * gone, retries and is fenced. Finally a restarted projector answers /health "joining" before it joined.
 */
describe('fault: a projector frozen inside its batch transactions', () => {
  const scenario = useFaultHarness({ partitions: 4, env: { PROJECTOR_SESSION_TIMEOUT_SECONDS: String(SESSION_TIMEOUT_S) } });

  it('the survivor owns and drains every partition while the frozen one holds transactions; exactly once, lag 0', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const ingest = await h.start('ingest');
    const api = await h.start('timeline-api');
    // Distinct client ids give each instance its own application_name in pg_stat_activity.
    const frozenSession = `projector ${h.config.kafka.clientId}-a`.slice(0, 63);
    const a = await h.start('projector', { KAFKA_CLIENT_ID: `${h.config.kafka.clientId}-a` });
    const b = await h.start('projector', { KAFKA_CLIENT_ID: `${h.config.kafka.clientId}-b` });
    await waitFor('A and B to share the partitions', async () => {
      const [ha, hb] = await Promise.all([projectorHealth(a), projectorHealth(b)]);
      return ha.projector.assignedPartitions.length > 0 && hb.projector.assignedPartitions.length > 0 ? true : undefined;
    });
    const load = h.load(ingest, { batchSize: 50, concurrency: 2, eventsPerSecond: 500 }).start();
    await h.waitForArchived(500);
    h.mark('projecting');

    const retried = () =>
      a
        .output()
        .split('\n')
        .filter((l) => l.includes('batch failed on an infrastructure error; rolled back, retrying'));
    // Freeze A while it is inside a batch transaction: stop it, then check that Postgres still sees one open.
    const pidA = a.child.pid!;
    let held = 0;
    let frozenAt = 0;
    for (let attempt = 0; attempt < 100 && held === 0; attempt++) {
      await waitForOpenTransaction(h.ds, frozenSession, 30_000);
      process.kill(pidA, 'SIGSTOP');
      frozenAt = Date.now();
      await sleep(150);
      held = await openBatchTransactions(h.ds, frozenSession);
      if (held === 0) process.kill(pidA, 'SIGCONT');
    }
    expect(held).toBeGreaterThan(0);
    h.mark(`A frozen holding ${held} batch transaction(s)`);
    const sinceFreeze = () => Date.now() - frozenAt;
    const retriedBeforeFreeze = retried().length;

    let ownedAllMs = 0;
    let drainedMs = 0;
    let endedMs = 0;
    try {
      // Kafka evicts A after the session timeout; B then owns every partition.
      await waitFor(
        'B to own every partition',
        async () => ((await projectorHealth(b)).projector.assignedPartitions.join() === '0,1,2,3' ? true : undefined),
        (SESSION_TIMEOUT_S + 20) * 1000,
        200,
      );
      ownedAllMs = sinceFreeze();
      h.mark('B owns all partitions');

      // B drains, on every partition (A's included), what was on the topic when it took over — while A is still stopped.
      const target = new Map((await h.admin.fetchTopicOffsets(h.topic)).map((o) => [o.partition, BigInt(o.high)]));
      await waitFor(
        'B to drain every partition past the high watermarks at its takeover',
        async () => {
          const rows: { partition: number; next: string }[] = await h.ds.query(
            `SELECT po.partition, po.next_offset::text AS next FROM projector_offsets po
             JOIN active_projection ap ON ap.name = po.projection WHERE po.topic = $1`,
            [h.topic],
          );
          const stored = new Map(rows.map((r) => [r.partition, BigInt(r.next)]));
          return [...target].every(([p, high]) => (stored.get(p) ?? 0n) >= high) ? true : undefined;
        },
        (SESSION_TIMEOUT_S + 10) * 1000,
        200,
      );
      drainedMs = sinceFreeze();
      h.mark('B drained every partition');
      // A's transactions were ended by the server (idle-in-transaction timeout), not by anything A did.
      await waitFor(
        "A's batch transactions to be ended by the server",
        async () => ((await openBatchTransactions(h.ds, frozenSession)) === 0 ? true : undefined),
        (SESSION_TIMEOUT_S + 5) * 1000,
        200,
      );
      endedMs = sinceFreeze();
      // Stay frozen for longer than the session timeout, whatever the speed of the steps above.
      await sleep(Math.max(0, 2 * SESSION_TIMEOUT_S * 1000 - sinceFreeze()));
    } finally {
      process.kill(pidA, 'SIGCONT');
    }
    const frozenMs = sinceFreeze();
    h.mark('A resumed');

    // Resumed, A finds its transactions killed: a retriable failure (no crash, nothing committed: the
    // offset checks below), then it rejoins the group and B hands partitions back.
    await waitFor('A to retry its killed batch', () => (retried().length > retriedBeforeFreeze ? true : undefined), 30_000, 100);
    await waitFor(
      'A to rejoin the group',
      async () => {
        const [ha, hb] = await Promise.all([projectorHealth(a), projectorHealth(b)]);
        return ha.projector.assignedPartitions.length > 0 && hb.projector.assignedPartitions.length < 4 ? true : undefined;
      },
      60_000,
      200,
    );
    h.mark('A rejoined');
    expect(a.child.exitCode).toBeNull();
    const resumedErrors = retried()
      .slice(retriedBeforeFreeze)
      .map((l) => (JSON.parse(l) as { err: { code?: string; message: string } }).err);
    await sleep(2000);

    // A restarted projector answers /health before it has joined the group (the killed member still holds its
    // place until the session timeout), with a 503 saying it is joining.
    await a.kill();
    h.mark('A killed');
    const c = await h.start('projector', { KAFKA_CLIENT_ID: `${h.config.kafka.clientId}-c` }, { waitHealthy: false });
    const joining = await projectorHealth(c);
    expect(joining).toMatchObject({ status: 503, projector: { state: 'joining', assignedPartitions: [] } });
    expect(joining.projector.detail).toMatch(/joining consumer group/);
    await waitFor('C to be healthy', async () => ((await projectorHealth(c)).status === 200 ? true : undefined), 60_000, 200);
    h.mark('C joined');
    await sleep(2000);

    const report = await load.stop();
    expectEveryRequestAccepted(report);
    const result = await h.check({ accepted: report.accepted, apiUrl: api.url, stoppedPids: [pidA], lagBoundMs: 120_000 });
    h.mark('checked');
    expect(result.archived).toBe(report.accepted.length);
    await expectOffsetsMatchArchive(h.ds, h.topic);
    for (const p of [a, b, c]) expect(p.output()).not.toContain('"level":60');
    recordFaultResult('frozen-projector', t0, {
      heldTransactions: held,
      frozenMs,
      ownedAllMs,
      drainedMs,
      transactionsEndedMs: endedMs,
      resumedErrors,
      ...result,
      phases: h.phases,
    });
  }, 300_000);
});
