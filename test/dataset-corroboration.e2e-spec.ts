import path from 'node:path';
import { datasetEventId } from '@timeline/events';
import { ROOT, runCli, testConfig, useTestStack, waitForCaughtUp } from './support/index.js';

const STORY = 'russia-ukraine-2022';
const id = (key: string) => datasetEventId(STORY, key);

interface EntryBody {
  entry: {
    id: string;
    summary: string;
    mergedInto: string | null;
    disputed: boolean;
    corroboration: { reports: number; independentOutlets: number; outlets: string[] };
    relations: { outgoing: { entryId: string; relation: string }[]; incoming?: { entryId: string; relation: string }[] };
  };
}

/**
 * The shipped dataset's reports, merges, split and claims (issue 14, item 6) through the real stack:
 * `cli seed` → Kafka → projector → API, as `npm start` shows them.
 */
describe('the Russia–Ukraine dataset: one event, many reports; who denied what', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '3' });
  const stack = useTestStack(config, env, ['projector', 'timeline-api']);
  const get = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${stack.app('timeline-api').url}${p}`);
    if (res.status !== 200) throw new Error(`${p} → ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const entry = async (key: string) => (await get<EntryBody>(`/v1/entries/${id(key)}`)).entry;

  beforeAll(async () => {
    const seed = await runCli(['seed', path.join(ROOT, 'data', 'datasets', 'russia-ukraine-2022.ndjson')], env);
    if (seed.code !== 0) throw new Error(`seed failed:\n${seed.stdout}\n${seed.stderr}`);
    await waitForCaughtUp(stack.ds, stack.kafka, config.kafka.eventsTopic, 90_000);
  }, 150_000);

  it('merges the wire reports of the 8,500-troop alert into one entry; two AP copies count as one outlet', async () => {
    const alert = await entry('2022-01-24/pentagon-8500-troops-heightened-alert');
    expect(alert.mergedInto).toBeNull();
    expect(alert.corroboration.reports).toBe(4);
    expect(alert.corroboration.outlets).toEqual(expect.arrayContaining(['Associated Press', 'The Hill']));
    expect(alert.corroboration.outlets.filter((o) => /associated press/i.test(o))).toHaveLength(1);
    const ap = await entry('2022-01-24/ap-8500-troops-heightened-alert');
    expect(ap.mergedInto).toBe(alert.id);
    const timeline = await get<{ data: { id: string }[] }>(`/v1/timeline?story=${STORY}&from=2022-01-24&to=2022-01-24&limit=100`);
    const ids = timeline.data.map((e) => e.id);
    expect(ids).toContain(alert.id);
    expect(ids).not.toContain(ap.id);
  });

  it('has at least three merged groups, and a split report back on its own', async () => {
    for (const key of [
      '2022-01-24/nato-allies-send-ships-and-jets',
      '2022-01-25/peskov-great-concern',
      '2022-02-15/kremlin-baseless-hysteria',
    ]) {
      expect((await entry(key)).corroboration.reports).toBeGreaterThanOrEqual(2);
    }
    const arrival = await entry('2022-01-28/afp-danish-jets-arrive-lithuania');
    expect(arrival.mergedInto).toBeNull();
    expect((await entry('2022-01-24/denmark-frigate-f16-lithuania')).corroboration.reports).toBe(1);
  });

  it('proposes the survivor first as the duplicate of the report left for an editor', async () => {
    const c = await get<{ data: { entry: { id: string }; score: number }[] }>(
      `/v1/entries/${id('2022-01-24/townhall-pentagon-briefing-8500')}/candidates`,
    );
    expect(c.data[0]?.entry.id).toBe(id('2022-01-24/pentagon-8500-troops-heightened-alert'));
  });

  it('links claims: denials make their targets disputed, both ways, and the exports carry them', async () => {
    const sullivan = await entry('2022-02-11/sullivan-invasion-could-come-during-olympics');
    expect(sullivan.disputed).toBe(true);
    expect(sullivan.relations.incoming).toEqual(
      expect.arrayContaining([expect.objectContaining({ entryId: id('2022-02-15/kremlin-baseless-hysteria'), relation: 'denies' })]),
    );
    expect((await entry('2022-02-15/russia-says-some-units-return-to-base')).disputed).toBe(true);
    const nato = await entry('2022-01-24/nato-allies-send-ships-and-jets');
    expect(nato.relations.outgoing.filter((r) => r.relation === 'confirms')).toHaveLength(2);
    const all = await get<{ data: { relations: { outgoing: unknown[] } }[] }>(`/v1/timeline?story=${STORY}&limit=200`);
    expect(all.data.reduce((n, e) => n + e.relations.outgoing.length, 0)).toBeGreaterThanOrEqual(5);
    const csv = await (await fetch(`${stack.app('timeline-api').url}/v1/export?format=csv&story=${STORY}`)).text();
    expect(csv).toContain(`denies:${id('2022-02-11/sullivan-invasion-could-come-during-olympics')}`);
  });
});
