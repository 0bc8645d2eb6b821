import {
  entryCorrected,
  entryRetracted,
  eventMessage,
  eventSeries,
  metricValue,
  testProducer,
  waitForCaughtUp,
  type RunningApp,
} from '../support/index.js';
import { recordFaultResult, useFaultHarness } from './fault-harness.js';

/**
 * Fault 5: the same 10,000 messages (entries, corrections, retractions) delivered four times — three
 * replays: republished while projecting, re-read after the stored offsets and the group's Kafka
 * offsets were rewound to the log start (docs/operations.md "Re-project a partition"), and
 * republished again during that re-read. Nothing may be doubled: no extra event_log row, entry,
 * version, or second application of a correction.
 */
describe('fault: redelivery storm', () => {
  const scenario = useFaultHarness({ partitions: 3, env: { PROJECTOR_SESSION_TIMEOUT_SECONDS: '10' } });

  it('the same 10,000 messages replayed 3 times change nothing', async () => {
    const t0 = Date.now();
    const h = scenario.harness();
    const entries = eventSeries(9_800).map((e, i) => ({ ...e, storyId: `storm-${i % 5}` }));
    const corrections = entries.slice(0, 100).map((target, i) => entryCorrected(target, { summary: `Corrected summary ${i}` }));
    const retractions = entries.slice(100, 200).map((target) => entryRetracted(target));
    const all = [...entries, ...corrections, ...retractions];
    expect(all).toHaveLength(10_000);
    const messages = all.map((e) => eventMessage(e));
    const producer = await testProducer(h.kafka);
    const projectorMetric = async (app: RunningApp, outcome: string) =>
      metricValue(await (await fetch(`${app.url}/metrics`)).text(), 'timeline_projector_messages_total', { outcome });

    try {
      await producer.send(h.topic, messages);
      let projector = await h.start('projector');
      await waitForCaughtUp(h.ds, h.kafka, h.topic, 120_000);
      h.mark('first delivery projected');

      // Replay 1: the same messages published again while the projector runs.
      await producer.send(h.topic, messages);
      await waitForCaughtUp(h.ds, h.kafka, h.topic, 120_000);
      expect(await projectorMetric(projector, 'duplicate')).toBe(10_000);
      h.mark('replay 1 (republish) projected');

      // Replay 2: seek back — stored offsets deleted and Kafka group offsets reset to the log start.
      await projector.stop();
      await h.ds.query('DELETE FROM projector_offsets WHERE topic = $1', [h.topic]);
      await h.admin.resetOffsets({ groupId: h.config.projector.groupId, topic: h.topic, earliest: true });
      projector = await h.start('projector');
      // Replay 3: a third copy arrives while the projector re-reads the first two.
      await producer.send(h.topic, messages);
      await waitForCaughtUp(h.ds, h.kafka, h.topic, 180_000);
      h.mark('replays 2 (seek back) and 3 (republish) projected');
      expect(await projectorMetric(projector, 'duplicate')).toBe(30_000);
      expect(await projectorMetric(projector, 'applied')).toBe(0);
    } finally {
      await producer.close();
    }

    expect(await h.count('SELECT count(*) AS n FROM event_log')).toBe(10_000);
    expect(await h.count(`SELECT count(*) AS n FROM timeline_entries WHERE projection = 'live'`)).toBe(9_800);
    // One version per entry, plus exactly one per correction and per retraction.
    expect(await h.count(`SELECT count(*) AS n FROM entry_versions WHERE projection = 'live'`)).toBe(10_000);
    expect(await h.count(`SELECT count(*) AS n FROM pending_corrections`)).toBe(0);
    expect(await h.count(`SELECT count(*) AS n FROM timeline_entries WHERE status = 'corrected' AND version = 2`)).toBe(100);
    expect(await h.count(`SELECT count(*) AS n FROM timeline_entries WHERE status = 'retracted' AND version = 2`)).toBe(100);

    const result = await h.check({
      accepted: all.map((e) => e.eventId),
      retracted: entries.slice(100, 200).map((e) => e.eventId),
    });
    recordFaultResult('redelivery-storm', t0, { messages: 10_000, deliveries: 50_000, ...result, phases: h.phases });
  }, 400_000);
});
