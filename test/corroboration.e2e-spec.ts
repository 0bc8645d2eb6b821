import { randomBytes, randomUUID } from 'node:crypto';
import { compareChecksums, projectionChecksum } from '@timeline/store';
import { hashApiKey } from '@timeline/http';
import {
  denialIssued,
  parseCsvRecord,
  readTopic,
  readinessRaised,
  runCli,
  sleep,
  statementIssued,
  testConfig,
  useTestStack,
  waitFor,
  waitForCaughtUp,
  type RawEvent,
} from './support/index.js';

const EDITOR = randomBytes(24).toString('base64url');
const STORY = `corrob-${randomBytes(4).toString('hex')}`;
const OTHER_STORY = `${STORY}-other`;

type Json = Record<string, unknown>;
interface Entry {
  id: string;
  summary: string;
  mergedInto: string | null;
  mergedIds: string[];
  sources: { outlet: string }[];
  corroboration: { reports: number; independentOutlets: number; outlets: string[] };
  disputed: boolean;
  relations: {
    outgoing: { entryId: string; relation: string; summary: string | null }[];
    incoming?: { entryId: string; relation: string }[];
  };
}

/** What a producer sends: the factory's event without the server-owned recordedAt. */
const input = (e: RawEvent): Json => {
  const { recordedAt: _r, ...rest } = e;
  return rest;
};

/**
 * Issue 14 on the real stack (ingest → Kafka → projector → PostgreSQL → timeline API): three reports
 * of one event — a syndicated AFP copy, AFP itself, Reuters — are proposed as duplicates, merged,
 * counted as 3 reports from 2 independent outlets, seen apart as known before the merge, split
 * again; an invalid merge is refused at ingest or dead-lettered; a denial disputes its target in the
 * API and the exports; and a rebuild reproduces it all.
 */
describe('corroboration and claims (issue 14)', () => {
  const { env, config } = testConfig({ API_KEYS: `corrob:editor:${hashApiKey(EDITOR)}`, RATE_LIMIT_WRITES_PER_MINUTE: '0' });
  const stack = useTestStack(config, env, ['ingest', 'projector', 'timeline-api']);

  const post = async (body: Json) => {
    const res = await fetch(`${stack.app('ingest').url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': EDITOR },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const get = async (path: string) => {
    const res = await fetch(`${stack.app('timeline-api').url}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const json = async <T>(path: string): Promise<T> => {
    const r = await get(path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
    return JSON.parse(r.text) as T;
  };
  const timeline = async (query = '') => (await json<{ data: Entry[] }>(`/v1/timeline?story=${STORY}&limit=100${query}`)).data;
  const ids = (entries: Entry[]) => entries.map((e) => e.id).sort();
  const waitForTimeline = (what: string, ok: (entries: Entry[]) => boolean, query = '') =>
    waitFor(
      what,
      async () => {
        const t = await timeline(query);
        return ok(t) ? t : undefined;
      },
      60_000,
      200,
    );
  const accept = async (e: Json) => {
    const r = await post(e);
    expect([r.status, r.body]).toEqual([202, expect.anything()]);
  };

  const report = (eventId: string, summary: string, source: Json) =>
    readinessRaised({
      eventId,
      storyId: STORY,
      occurredAt: '2022-01-24T00:00:00Z',
      summary,
      sources: [{ role: 'reporting', url: `https://news.example/${eventId}`, ...source }],
    });
  const syndicated = report(randomUUID(), 'Pentagon puts 8,500 US troops on heightened alert for NATO', {
    outlet: 'A News',
    originOutlet: 'AFP',
  });
  const afp = report(randomUUID(), 'Pentagon puts about 8,500 US troops on heightened alert', { outlet: 'AFP' });
  const reuters = report(randomUUID(), 'US places 8,500 troops on heightened alert over Ukraine', { outlet: 'Reuters' });
  const decoy = statementIssued({
    eventId: randomUUID(),
    storyId: STORY,
    occurredAt: '2022-01-24T00:00:00Z',
    summary: 'Kremlin says talks with Washington are at a dead end',
  });
  const foreign = report(randomUUID(), 'Pentagon puts 8,500 US troops on heightened alert', { outlet: 'AP' });
  const meta = (type: string, payload: Json, storyId = STORY): Json => ({
    type,
    occurredAt: new Date().toISOString(),
    occurredAtPrecision: 'second',
    storyId,
    actors: [],
    locations: [],
    sources: [],
    tags: [],
    confirmation: 'confirmed',
    summary: `${type} by the desk`,
    payload,
  });
  let beforeMerge = '';
  let afterMerge = '';

  beforeAll(async () => {
    for (const e of [syndicated, afp, reuters, decoy]) await accept(input(e));
    await accept(input({ ...foreign, storyId: OTHER_STORY }));
    await waitForTimeline('the four reports', (t) => t.length === 4);
  }, 120_000);

  it('proposes the true duplicates of a report first, with a score and reasons, and merges nothing', async () => {
    const c = await json<{ data: { entry: { id: string }; score: number; reasons: { kind: string }[] }[] }>(
      `/v1/entries/${syndicated.eventId}/candidates`,
    );
    expect(
      c.data
        .map((x) => x.entry.id)
        .slice(0, 2)
        .sort(),
    ).toEqual([afp.eventId, reuters.eventId].sort());
    const [best] = c.data;
    expect(best!.entry.id).toBe(afp.eventId);
    expect(best!.score).toBeGreaterThan(0.7);
    expect(best!.score).toBeLessThanOrEqual(1);
    expect(best!.reasons.map((r) => r.kind)).toEqual(expect.arrayContaining(['sameType', 'occurredWithinPrecision', 'similarText']));
    const decoyScore = c.data.find((x) => x.entry.id === decoy.eventId)?.score ?? 0;
    expect(decoyScore).toBeLessThan(best!.score);
    expect(c.data.map((x) => x.entry.id)).not.toContain(syndicated.eventId);
    // Story-wide: the same pairs, best first.
    const pairs = await json<{ data: { a: { id: string }; b: { id: string }; score: number }[] }>(
      `/v1/stories/${STORY}/candidates?minScore=0.5`,
    );
    expect(pairs.data.length).toBeGreaterThanOrEqual(3);
    const involved = new Set(pairs.data.slice(0, 3).flatMap((p) => [p.a.id, p.b.id]));
    expect([...involved].sort()).toEqual([syndicated.eventId, afp.eventId, reuters.eventId].sort());
    expect((await get(`/v1/entries/${syndicated.eventId}/candidates?limit=0`)).status).toBe(400);
    expect((await timeline()).length).toBe(4);
  });

  it('refuses at ingest what the catalogue can tell without the read model, naming the field', async () => {
    const r = await post(meta('entry.merged', { survivorId: afp.eventId, mergedIds: [reuters.eventId, afp.eventId], reason: 'x' }));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'EVENT.INVALID_PAYLOAD' });
    expect((r.body.errors as { path: string }[]).map((e) => e.path)).toContain('/payload/mergedIds/1');
  });

  it('merges three reports into one entry: 3 reports, 2 independent outlets; the merged ones stay addressable', async () => {
    beforeMerge = new Date().toISOString();
    await sleep(20);
    await accept(
      meta('entry.merged', {
        survivorId: afp.eventId,
        mergedIds: [syndicated.eventId, reuters.eventId],
        reason: 'One alert, three reports.',
      }),
    );
    const t = await waitForTimeline('the merge', (x) => x.length === 2);
    expect(ids(t)).toEqual([afp.eventId, decoy.eventId].sort());
    const survivor = t.find((e) => e.id === afp.eventId)!;
    expect(survivor.corroboration).toMatchObject({ reports: 3, independentOutlets: 2, outlets: ['AFP', 'Reuters'] });
    expect(survivor.mergedIds).toEqual([syndicated.eventId, reuters.eventId]);
    expect(survivor.sources.map((s) => s.outlet).sort()).toEqual(['A News', 'AFP', 'Reuters']);
    const merged = await json<{ entry: Entry }>(`/v1/entries/${reuters.eventId}`);
    expect(merged.entry.mergedInto).toBe(afp.eventId);
    // Filter on corroboration, validated.
    expect(ids(await timeline('&minIndependentSources=2'))).toEqual([afp.eventId]);
    for (const bad of ['0', '101', 'two']) {
      const r = await get(`/v1/timeline?minIndependentSources=${bad}`);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text)).toMatchObject({ errors: [{ path: 'minIndependentSources' }] });
    }
    // Sorted by corroboration (most independent outlets first), paged with its own cursor.
    const byCorroboration = await timeline('&sort=corroboration&order=desc');
    expect(byCorroboration.map((e) => e.id)).toEqual([afp.eventId, decoy.eventId]);
    const first = await json<{ data: Entry[]; page: { nextCursor: string } }>(`/v1/timeline?story=${STORY}&sort=corroboration&limit=1`);
    expect(first.data.map((e) => e.id)).toEqual([afp.eventId]);
    const second = await json<{ data: Entry[]; page: { nextCursor: string | null } }>(
      `/v1/timeline?story=${STORY}&sort=corroboration&limit=1&cursor=${encodeURIComponent(first.page.nextCursor)}`,
    );
    expect(second.data.map((e) => e.id)).toEqual([decoy.eventId]);
    expect(second.page.nextCursor).toBeNull();
    const foreignCursor = await get(`/v1/timeline?story=${STORY}&limit=1&cursor=${encodeURIComponent(first.page.nextCursor)}`);
    expect(foreignCursor.status).toBe(400);
    expect((await get(`/v1/timeline?sort=outlets`)).status).toBe(400);
    // As known before the merge: three separate entries.
    const then = await timeline(`&asOf=${encodeURIComponent(beforeMerge)}`);
    expect(ids(then)).toEqual([syndicated.eventId, afp.eventId, reuters.eventId, decoy.eventId].sort());
    expect(then.find((e) => e.id === afp.eventId)!.corroboration.reports).toBe(1);
    afterMerge = new Date().toISOString();
  });

  it('refuses a merge across stories at ingest (422 naming the field) and dead-letters one that reaches the topic without ingest', async () => {
    const cross = meta('entry.merged', { survivorId: decoy.eventId, mergedIds: [foreign.eventId], reason: 'Looks the same.' });
    const refused = await post(cross);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'EVENT.MERGE_CROSS_STORY', errors: [{ path: '/payload/mergedIds/0' }] });
    // Another producer on the topic: the projector, the authority, dead-letters it with the reason code.
    const bad = { ...cross, eventId: randomUUID(), schemaVersion: 1, recordedAt: new Date().toISOString() };
    const producer = stack.kafka.producer();
    await producer.connect();
    await producer.send({ topic: config.kafka.eventsTopic, messages: [{ key: STORY, value: JSON.stringify(bad) }] });
    await producer.disconnect();
    const letters = await waitFor(
      'the cross-story merge dead-lettered',
      async () => {
        const hit = (await readTopic(stack.kafka, config.kafka.dlqTopic, 5_000)).filter((r) => r.value.includes(bad.eventId));
        return hit.length ? hit : undefined;
      },
      60_000,
      1000,
    );
    expect(letters[0]!.headers['dlq.reasonCode']).toBe('EVENT.MERGE_CROSS_STORY');
    expect(letters[0]!.headers['dlq.reason']).toContain(foreign.eventId);
    expect(ids(await timeline())).toEqual([afp.eventId, decoy.eventId].sort());
    expect((await json<{ entry: Entry }>(`/v1/entries/${foreign.eventId}`)).entry.mergedInto).toBeNull();
  });

  it('a denial with relatesTo disputes its target in /v1/timeline, /v1/entries/:id (both ways) and the CSV and NDJSON exports', async () => {
    const denial = denialIssued({ eventId: randomUUID(), storyId: STORY, relatesTo: [{ entryId: afp.eventId, relation: 'denies' }] });
    await accept(input(denial));
    const t = await waitForTimeline('the denial', (x) => x.length === 3);
    expect(t.find((e) => e.id === afp.eventId)!.disputed).toBe(true);
    expect(t.find((e) => e.id === denial.eventId)!.disputed).toBe(false);
    const target = await json<{ entry: Entry }>(`/v1/entries/${afp.eventId}`);
    expect(target.entry.relations.incoming).toEqual([{ entryId: denial.eventId, relation: 'denies', summary: denial.summary }]);
    const from = await json<{ entry: Entry }>(`/v1/entries/${denial.eventId}`);
    expect(from.entry.relations.outgoing).toEqual([{ entryId: afp.eventId, relation: 'denies', summary: afp.summary }]);
    // As known before the denial, nobody disputed it.
    expect((await timeline(`&asOf=${encodeURIComponent(afterMerge)}`)).find((e) => e.id === afp.eventId)!.disputed).toBe(false);

    const csv = (await get(`/v1/export?format=csv&story=${STORY}`)).text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n')
      .map(parseCsvRecord);
    const [header, ...rows] = csv as [string[], ...string[][]];
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    const csvOf = (id: string) => rows.find((r) => col(r, 'id') === id)!;
    expect(col(csvOf(afp.eventId), 'disputed')).toBe('true');
    expect(col(csvOf(afp.eventId), 'reports')).toBe('3');
    expect(col(csvOf(afp.eventId), 'independent_outlets')).toBe('2');
    expect(col(csvOf(denial.eventId), 'relations')).toBe(`denies:${afp.eventId}`);

    const ndjson = (await get(`/v1/export?format=ndjson&story=${STORY}`)).text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Entry);
    expect(ndjson.find((e) => e.id === afp.eventId)).toMatchObject({
      disputed: true,
      corroboration: { reports: 3, independentOutlets: 2 },
    });
    expect(ndjson.find((e) => e.id === denial.eventId)!.relations.outgoing).toEqual([
      { entryId: afp.eventId, relation: 'denies', summary: afp.summary },
    ]);
  });

  it('entry.related withdraws a link and adds one to a merged report, which disputes its survivor', async () => {
    const denial = (await timeline()).find((e) => e.id !== afp.eventId && e.id !== decoy.eventId)!;
    await accept(
      meta('entry.related', { fromId: denial.id, toId: afp.eventId, relation: 'denies', withdrawn: true, reason: 'Linked in error.' }),
    );
    await waitForTimeline('the link withdrawn', (t) => t.find((e) => e.id === afp.eventId)?.disputed === false);
    await accept(meta('entry.related', { fromId: denial.id, toId: reuters.eventId, relation: 'contradicts', reason: 'Answers Reuters.' }));
    await waitForTimeline('the survivor disputed through its report', (t) => t.find((e) => e.id === afp.eventId)?.disputed === true);
    const survivor = await json<{ entry: Entry }>(`/v1/entries/${afp.eventId}`);
    expect(survivor.entry.relations.incoming).toEqual([
      { entryId: denial.id, relation: 'contradicts', summary: denial.summary, viaReport: reuters.eventId },
    ]);
    const from = await json<{ entry: Entry }>(`/v1/entries/${denial.id}`);
    expect(from.entry.relations.outgoing.map((r) => `${r.relation}:${r.entryId}`)).toEqual([`contradicts:${reuters.eventId}`]);
  });

  it('splits the reports out again: three entries, the survivor back to one report', async () => {
    await accept(
      meta('entry.split', { survivorId: afp.eventId, splitIds: [syndicated.eventId, reuters.eventId], reason: 'Separate after all.' }),
    );
    const t = await waitForTimeline('the split', (x) => x.length === 5);
    expect(t.find((e) => e.id === afp.eventId)!.corroboration).toMatchObject({ reports: 1, independentOutlets: 1 });
    expect(t.find((e) => e.id === reuters.eventId)!.mergedInto).toBeNull();
    // The contradiction follows its report out of the survivor.
    expect(t.find((e) => e.id === reuters.eventId)!.disputed).toBe(true);
    expect(t.find((e) => e.id === afp.eventId)!.disputed).toBe(false);
    // The merge stays in history: as known after it, still one entry of three reports.
    const then = await timeline(`&asOf=${encodeURIComponent(afterMerge)}`);
    expect(then.find((e) => e.id === afp.eventId)!.corroboration.reports).toBe(3);
  });

  it('rebuilds to the identical projection, and verify agrees', async () => {
    await waitForCaughtUp(stack.ds, stack.kafka, config.kafka.eventsTopic, 60_000);
    const active = async () => (await stack.ds.query('SELECT name FROM active_projection'))[0].name as string;
    const before = await projectionChecksum(stack.ds, await active());
    const r = await runCli(['rebuild', '--drop-delay', '0'], env, 240_000);
    expect(r.code).toBe(0);
    const after = await projectionChecksum(stack.ds, await active());
    expect(await active()).not.toBe(before.projection);
    expect(compareChecksums(before, after)).toEqual([]);
    expect(after.digest).toBe(before.digest);
    const v = await runCli(['verify'], env, 240_000);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/OK: .* equals the projection rebuilt from event_log/);
    expect(ids(await timeline())).toHaveLength(5);
  });

  it('stores a link to an entry not known yet and resolves it when that entry arrives', async () => {
    const later = report(randomUUID(), 'Russian troops reported moving towards the border', { outlet: 'Reuters' });
    const denial = denialIssued({
      eventId: randomUUID(),
      storyId: STORY,
      relatesTo: [{ entryId: later.eventId, relation: 'contradicts' }],
    });
    await accept(input(denial));
    const early = await waitFor('the denial', async () => {
      const r = await get(`/v1/entries/${denial.eventId}`);
      return r.status === 200 ? (JSON.parse(r.text) as { entry: Entry }) : undefined;
    });
    expect(early.entry.relations.outgoing).toEqual([{ entryId: later.eventId, relation: 'contradicts', summary: null }]);
    await accept(input(later));
    const t = await waitForTimeline('the later entry', (x) => x.some((e) => e.id === later.eventId));
    expect(t.find((e) => e.id === later.eventId)!.disputed).toBe(true);
    const resolved = await json<{ entry: Entry }>(`/v1/entries/${denial.eventId}`);
    expect(resolved.entry.relations.outgoing).toEqual([{ entryId: later.eventId, relation: 'contradicts', summary: later.summary }]);
  });
});
