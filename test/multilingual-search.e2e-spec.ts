import { randomBytes, randomUUID } from 'node:crypto';
import { LANGUAGE_DETECTOR } from '@timeline/events';
import { hashApiKey } from '@timeline/http';
import { readTopic, testConfig, useTestStack, waitFor } from './support/index.js';

const EDITOR = randomBytes(24).toString('base64url');
const STORY = `multilingual-${randomBytes(4).toString('hex')}`;

interface Entry {
  id: string;
  summary: string;
  language: string;
  languageDetectedBy: string | null;
  translations: { lang: string; text: string; by: string; at: string; snippet?: { text: string; match: boolean }[] }[];
  matchedLanguages?: string[];
  snippet?: { text: string; match: boolean }[];
}

/** An event as a newsroom tool sends it (no recordedAt; eventId chosen so the test can find it). */
const event = (fields: Record<string, unknown>) => ({
  eventId: randomUUID(),
  type: 'statement.issued',
  occurredAt: '2022-01-25T00:00:00Z',
  occurredAtPrecision: 'day',
  storyId: STORY,
  actors: [],
  locations: [],
  sources: [],
  tags: [],
  confirmation: 'confirmed',
  payload: { topic: 'multilingual search' },
  ...fields,
});

/**
 * Issue 16 acceptance on the real stack (ingest → Kafka → projector → PostgreSQL → API): a Ukrainian
 * entry found by an inflected form, a Russian one by "Пескова", "Kiev" finding "Kyiv", "8500" finding
 * "8,500"; the language detected and recorded when absent; asOf and exports carrying languages and
 * translations. The text below is test data written for this suite, not dataset content.
 */
describe('multilingual timeline e2e (issue 16)', () => {
  const { env, config } = testConfig({ API_KEYS: `lang:editor:${hashApiKey(EDITOR)}` });
  const stack = useTestStack(config, env, ['ingest', 'projector', 'timeline-api']);

  const ukrainian = event({
    language: 'uk',
    summary: 'Міністерство оборони повідомило, що військо готове до оборони Києва.',
    sources: [{ role: 'primary', outlet: 'Міністерство оборони України', url: 'https://www.mil.gov.ua/', language: 'uk' }],
  });
  // No language: ingest detects it.
  const russian = event({
    summary: 'Песков заявил, что Кремль с большой обеспокоенностью следит за действиями США.',
    actors: [{ id: 'dmitry-peskov', name: 'Дмитрий Песков', country: 'RU', role: 'spokesperson' }],
  });
  const english = event({
    type: 'readiness.raised',
    language: 'en',
    summary: 'Pentagon puts about 8,500 troops on heightened alert; the US embassy in Kyiv stays open.',
    translations: [
      {
        lang: 'uk',
        text: 'Пентагон привів близько 8500 військових у стан підвищеної готовності.',
        by: 'editor',
        at: '2022-01-25T10:00:00Z',
      },
    ],
    actors: [{ id: 'volodymyr-zelensky', name: 'Volodymyr Zelensky', country: 'UA', role: 'target' }],
    payload: { forceSize: 8500 },
  });

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${stack.app('timeline-api').url}${path}`);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return (res.headers.get('content-type') ?? '').startsWith('application/json') ? ((await res.json()) as T) : ((await res.text()) as T);
  };
  const search = async (q: string, extra = '') =>
    (await api<{ data: Entry[] }>(`/v1/timeline?story=${STORY}&q=${encodeURIComponent(q)}${extra}`)).data;
  const ids = (entries: Entry[]) => entries.map((e) => e.id).sort();

  beforeAll(async () => {
    const res = await fetch(`${stack.app('ingest').url}/v1/events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': EDITOR },
      body: JSON.stringify({ events: [ukrainian, russian, english] }),
    });
    expect(res.status).toBe(202);
    await waitFor(
      'three projected entries',
      async () => ((await api<{ data: Entry[] }>(`/v1/timeline?story=${STORY}`)).data.length === 3 ? true : undefined),
      90_000,
      250,
    );
  }, 120_000);

  it('records on the topic and in the entry that the language was detected when the producer left it out', async () => {
    const records = await readTopic(stack.kafka, config.kafka.eventsTopic);
    const sent = records.map((r) => JSON.parse(r.value) as Record<string, unknown>).find((e) => e.eventId === russian.eventId);
    expect(sent).toMatchObject({ language: 'ru', languageDetectedBy: LANGUAGE_DETECTOR });
    const entry = (await api<{ entry: Entry }>(`/v1/entries/${russian.eventId}`)).entry;
    expect(entry).toMatchObject({ language: 'ru', languageDetectedBy: LANGUAGE_DETECTOR });
    const stated = (await api<{ entry: Entry }>(`/v1/entries/${ukrainian.eventId}`)).entry;
    expect(stated).toMatchObject({ language: 'uk', languageDetectedBy: null });
  });

  it('finds the Ukrainian entry by an inflected form ("військами" finds "військо") and says Ukrainian matched', async () => {
    const found = await search('військами');
    expect(ids(found)).toEqual([ukrainian.eventId]);
    expect(found[0]!.matchedLanguages).toEqual(['uk']);
    expect(found[0]!.snippet!.filter((s) => s.match).map((s) => s.text)).toEqual(['військо']);
  });

  it('finds the Russian entry by "Пескова"', async () => {
    const found = await search('Пескова');
    expect(ids(found)).toEqual([russian.eventId]);
    expect(found[0]!.matchedLanguages).toEqual(['ru']);
  });

  it('"Kiev" finds "Kyiv" (and "Києва"), "8500" finds "8,500", in any language of the entry', async () => {
    expect(ids(await search('Kiev'))).toEqual([ukrainian.eventId, english.eventId].sort());
    const numbers = await search('8500');
    expect(ids(numbers)).toEqual([english.eventId]);
    expect(numbers[0]!.matchedLanguages).toEqual(['en', 'uk']);
    expect(ids(await search('8,500 troops'))).toEqual([english.eventId]);
    // A translation matches in its own language, and its snippet marks the words.
    const translated = await search('готовністю');
    expect(ids(translated)).toEqual([english.eventId]);
    expect(translated[0]!.matchedLanguages).toEqual(['uk']);
    expect(translated[0]!.translations[0]!.snippet!.some((s) => s.match)).toBe(true);
  });

  it('filters by an actor name in any script or spelling (alias registry)', async () => {
    const byName = async (name: string) =>
      ids((await api<{ data: Entry[] }>(`/v1/timeline?story=${STORY}&actor=${encodeURIComponent(name)}`)).data);
    expect(await byName('Зеленський')).toEqual([english.eventId]);
    expect(await byName('Zelenskyy')).toEqual([english.eventId]);
    expect(await byName('Песков')).toEqual([russian.eventId]);
  });

  it('carries languages and translations in asOf reads and in every export format', async () => {
    const asOf = new Date().toISOString();
    const past = await search('Kiev', `&asOf=${encodeURIComponent(asOf)}`);
    expect(ids(past)).toEqual([ukrainian.eventId, english.eventId].sort());
    const en = past.find((e) => e.id === english.eventId)!;
    expect(en).toMatchObject({ language: 'en', translations: [{ lang: 'uk', by: 'editor' }] });

    const ndjson = await api<string>(`/v1/export?format=ndjson&story=${STORY}`);
    const rows = ndjson
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Entry);
    expect(rows.find((r) => r.id === english.eventId)).toMatchObject({ language: 'en', translations: [{ lang: 'uk', by: 'editor' }] });
    expect(rows.find((r) => r.id === russian.eventId)).toMatchObject({ language: 'ru', languageDetectedBy: LANGUAGE_DETECTOR });
    const csv = await api<string>(`/v1/export?format=csv&story=${STORY}`);
    expect(csv.split('\r\n')[0]).toContain('language,language_detected_by,translations');
    expect(csv).toContain('uk: Пентагон привів близько 8500 військових');
    const tl = await api<{ events: { text: { text: string } }[] }>(`/v1/export?format=timelinejs&story=${STORY}`);
    expect(tl.events.some((s) => s.text.text.includes('<p lang="uk"><em>uk (editor):</em>'))).toBe(true);
  });

  it('says in /health which Ukrainian search the database has', async () => {
    const health = await api<{ checks: { search: { status: string; ukrainian: string } } }>('/health');
    expect(health.checks.search).toEqual({ status: 'up', ukrainian: 'hunspell' });
  });
});
