import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { hashApiKey } from '@timeline/http';
import { ensureTopics, timelineTopics } from '@timeline/kafka';
import { createTestDatabase, ingestInput, startApp, testConfig, testKafka, type RunningApp } from './support/index.js';

const EDITOR = randomBytes(18).toString('base64url');

/**
 * Issue 13, item 4: with two ingest processes on one database schema, an API key's write budget
 * (RATE_LIMIT_WRITES_PER_MINUTE) holds for both together (RATE_LIMIT_STORE=postgres, the default);
 * with RATE_LIMIT_STORE=memory each process grants the whole budget (the old per-process behaviour).
 */
describe('rate limits across replicas', () => {
  const { env, config } = testConfig({ API_KEYS: `replica-editor:editor:${hashApiKey(EDITOR)}`, RATE_LIMIT_WRITES_PER_MINUTE: '4' });
  let drop: () => Promise<void>;
  let admin: Admin;
  const apps: RunningApp[] = [];

  const post = (app: RunningApp, seq: number) =>
    fetch(`${app.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': EDITOR },
      body: JSON.stringify(ingestInput(seq)),
    });
  /** Posts `n` events alternately to the two processes; the statuses in order. */
  const alternate = async (pair: RunningApp[], n: number) => {
    const statuses: number[] = [];
    const retryAfter: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      const res = await post(pair[i % 2]!, i);
      await res.text();
      statuses.push(res.status);
      if (res.status === 429) retryAfter.push(res.headers.get('retry-after'));
    }
    return { statuses, retryAfter };
  };

  beforeAll(async () => {
    ({ drop } = await createTestDatabase(config));
    admin = testKafka(config).admin();
    await admin.connect();
    const t = timelineTopics(config.kafka);
    await ensureTopics(admin, [t.events, t.dlq]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    const t = timelineTopics(config.kafka);
    await admin.deleteTopics({ topics: [t.events.topic, t.dlq.topic] }).catch(() => undefined);
    await admin.disconnect();
    await drop();
  });

  it('shared (default): 4 writes per minute for the key across both processes, then 429 + Retry-After on either', async () => {
    const pair = await Promise.all([startApp('ingest', env), startApp('ingest', env)]);
    apps.push(...pair);
    const { statuses, retryAfter } = await alternate(pair, 8);
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429, 429, 429]);
    for (const r of retryAfter) expect(Number(r)).toBeGreaterThanOrEqual(1);
  });

  it('memory: each process grants the whole budget (2 × 4)', async () => {
    // The same key: memory stores never see the shared bucket the first test drained.
    const memEnv = { ...env, RATE_LIMIT_STORE: 'memory' };
    const pair = await Promise.all([startApp('ingest', memEnv), startApp('ingest', memEnv)]);
    apps.push(...pair);
    const { statuses } = await alternate(pair, 10);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 202, 202, 429, 429]);
  });
});
