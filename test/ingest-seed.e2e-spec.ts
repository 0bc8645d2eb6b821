import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { EVENT_HEADERS } from '@timeline/kafka';
import { ROOT, countTopicRecords, readTopic, runCli, testConfig, testKafka } from './support/index.js';

const DATASET = path.join(ROOT, 'data', 'datasets', 'russia-ukraine-2022.ndjson');
const datasetLines = readFileSync(DATASET, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { eventId: string; type: string; storyId: string; schemaVersion: number });

describe('cli seed: a dataset through the same validation and producer path as ingest', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topics: string[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'seed-'));

  const fresh = () => {
    const t = testConfig();
    topics.push(t.config.kafka.eventsTopic, t.config.kafka.dlqTopic);
    return t;
  };

  beforeAll(async () => {
    kafka = testKafka(testConfig().config);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the whole default dataset, prints the count, and re-seeding sends the same eventIds', async () => {
    const { env, config } = fresh();
    const first = await runCli(['seed'], env);
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`published ${datasetLines.length} events`);
    expect(await countTopicRecords(kafka, config.kafka.eventsTopic)).toBe(datasetLines.length);

    const records = await readTopic(kafka, config.kafka.eventsTopic);
    // One story → one partition, in file order, with routing headers.
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    expect(records.map((r) => r.headers[EVENT_HEADERS.eventId])).toEqual(datasetLines.map((l) => l.eventId));
    expect(records.map((r) => r.headers[EVENT_HEADERS.type])).toEqual(datasetLines.map((l) => l.type));
    expect(records.every((r) => r.key === 'russia-ukraine-2022')).toBe(true);
    const body = JSON.parse(records[0]!.value) as Record<string, unknown>;
    expect(body).not.toHaveProperty('datasetKey');
    expect(typeof body.recordedAt).toBe('string');

    const second = await runCli(['seed', DATASET], env);
    expect(second.code).toBe(0);
    const all = await readTopic(kafka, config.kafka.eventsTopic);
    expect(all).toHaveLength(2 * datasetLines.length);
    // Same ids again: the projector (idempotent by eventId) keeps each event once.
    expect(all.slice(datasetLines.length).map((r) => r.headers[EVENT_HEADERS.eventId])).toEqual(datasetLines.map((l) => l.eventId));
  });

  it('reports every bad line with its number and publishes nothing', async () => {
    const { env, config } = fresh();
    const good = readFileSync(DATASET, 'utf8').split('\n')[0]!;
    const badPayload = JSON.parse(good) as Record<string, unknown>;
    badPayload.payload = { forceSize: -3 };
    const { datasetKey: _k, eventId: _e, ...noId } = JSON.parse(good) as Record<string, unknown>;
    const file = path.join(dir, 'bad.ndjson');
    writeFileSync(file, [good, '{"type": "readiness.raised",', JSON.stringify(badPayload), '', JSON.stringify(noId), good].join('\n'));

    const r = await runCli(['seed', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2: not valid JSON`);
    expect(r.stderr).toContain(`${file}:3: EVENT.INVALID_PAYLOAD /payload/forceSize: must be >= 0`);
    expect(r.stderr).toMatch(new RegExp(`${file}:5: EVENT\\.INVALID_ENVELOPE /eventId: is required in a dataset line`));
    expect(r.stderr).toMatch(new RegExp(`${file}:6: eventId [0-9a-f-]{36} is already used on line 1`));
    expect(r.stderr).toContain('4 of 6 line(s) are invalid; nothing was published');
    expect(r.stdout).not.toContain('published');
    // Validation happens before any Kafka connection: the topic was not even created.
    expect(await admin.listTopics()).not.toContain(config.kafka.eventsTopic);
  });

  it('--dry-run validates without publishing', async () => {
    const { env, config } = fresh();
    const r = await runCli(['seed', DATASET, '--dry-run'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`is valid: ${datasetLines.length} events (dry run, nothing published)`);
    expect(await admin.listTopics()).not.toContain(config.kafka.eventsTopic);
  });

  it('refuses a missing file and a bad --chunk as usage errors (exit 2)', async () => {
    const { env } = fresh();
    const missing = await runCli(['seed', path.join(dir, 'nope.ndjson')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read dataset file');
    const chunk = await runCli(['seed', DATASET, '--chunk', '5000'], env);
    expect(chunk.code).toBe(2);
  });

  it('splits a dataset into several sends with --chunk and still publishes every event in order', async () => {
    const { env, config } = fresh();
    const r = await runCli(['seed', DATASET, '--chunk', '7'], env);
    expect(r.code).toBe(0);
    const records = await readTopic(kafka, config.kafka.eventsTopic);
    expect(records.map((x) => x.headers[EVENT_HEADERS.eventId])).toEqual(datasetLines.map((l) => l.eventId));
  });
});
