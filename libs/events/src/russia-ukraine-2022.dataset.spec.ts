import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  EVENT_TYPES,
  datasetEventId,
  eventCatalogue,
  fixedClock,
  prepareDatasetLine,
  type EntryCorrectedPayload,
  type EntryRetractedPayload,
  type EventEnvelope,
} from './index.js';

/** The seed dataset, validated line by line through the same path `npm run seed` uses. */
const FILE = fileURLToPath(new URL('../../../data/datasets/russia-ukraine-2022.ndjson', import.meta.url));
const STORY = 'russia-ukraine-2022';
const clock = fixedClock('2022-03-01T00:00:00Z');

const lines = readFileSync(FILE, 'utf8')
  .split('\n')
  .map((text, i) => ({ n: i + 1, text }))
  .filter((l) => l.text.trim() !== '');
const raw = lines.map((l) => JSON.parse(l.text) as Record<string, unknown> & { datasetKey: string; eventId: string });
const events: EventEnvelope[] = lines.map((l) => {
  const r = prepareDatasetLine(JSON.parse(l.text), { clock });
  if (!r.ok) throw new Error(`line ${l.n}: ${r.code} ${JSON.stringify(r.issues)}`);
  return r.event;
});
const byId = new Map(events.map((e) => [e.eventId, e]));
const ofType = (type: string) => events.filter((e) => e.type === type);
const text = (e: EventEnvelope) => JSON.stringify(e);

describe('data/datasets/russia-ukraine-2022.ndjson', () => {
  it('every line is a valid event through prepareDatasetLine and the catalogue', () => {
    expect(events.length).toBe(lines.length);
    for (const e of events) expect(eventCatalogue.decode(e).ok).toBe(true);
  });

  it('holds the seed article plus at least 30 more events, Nov 2021 – 24 Feb 2022, all in one story', () => {
    const domain = events.filter((e) => !eventCatalogue.get(e.type)!.meta);
    expect(domain.length).toBeGreaterThanOrEqual(38);
    for (const e of events) {
      expect(e.storyId).toBe(STORY);
      expect(e.occurredAt >= '2021-11-01').toBe(true);
      expect(e.occurredAt < '2022-02-25').toBe(true);
    }
    expect(events.filter((e) => e.tags.includes('seed-article')).length).toBeGreaterThanOrEqual(9);
  });

  it('uses every type of the catalogue', () => {
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES.map((d) => d.type)));
  });

  it('has deterministic, unique eventIds: UUIDv5 of storyId + datasetKey', () => {
    for (const r of raw) expect(r.eventId).toBe(datasetEventId(STORY, r.datasetKey));
    expect(new Set(raw.map((r) => r.eventId)).size).toBe(raw.length);
    expect(new Set(raw.map((r) => r.datasetKey)).size).toBe(raw.length);
    // Preparing the file again gives the same ids (re-seeding changes nothing in the timeline).
    const again = lines.map((l) => prepareDatasetLine(JSON.parse(l.text), { clock: fixedClock('2030-01-01T00:00:00Z') }));
    expect(again.map((r) => (r.ok ? r.envelope.eventId : null))).toEqual(raw.map((r) => r.eventId));
  });

  it('pins every schemaVersion explicitly, so a later version bump cannot reinterpret the file', () => {
    for (const r of raw) expect(typeof r.schemaVersion).toBe('number');
  });

  it('gives every event actors, placed locations and at least one public source URL', () => {
    for (const e of events) {
      expect(e.actors.length).toBeGreaterThan(0);
      expect(e.locations.length).toBeGreaterThan(0);
      for (const l of e.locations) {
        expect(typeof l.lat).toBe('number');
        expect(typeof l.lon).toBe('number');
        expect([1, 2, 3]).toContain(l.geoPrecision);
      }
      expect(e.sources.length).toBeGreaterThan(0);
      for (const s of e.sources) expect(s.url).toMatch(/^https?:\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
    }
  });

  it('never shows a time of day nobody reported: day-precision events sit at 00:00Z', () => {
    for (const e of events) {
      if (e.occurredAtPrecision === 'day') expect(e.occurredAt).toMatch(/T00:00:00Z$/);
      if (e.occurredAtPrecision === 'hour') expect(e.occurredAt).toMatch(/T\d\d:00:00Z$/);
      if (e.occurredUntil) expect(e.occurredUntil > e.occurredAt).toBe(true);
    }
  });

  describe('covers the facts of the seed article (24–25 January 2022)', () => {
    it('the Pentagon puts about 8,500 troops on heightened alert; notice cut from ten to five days', () => {
      const alert = ofType('readiness.raised').find((e) => e.occurredAt.startsWith('2022-01-24'));
      expect(alert?.payload).toMatchObject({ forceSize: 8500, noticePeriodDaysBefore: 10, noticePeriodDaysAfter: 5 });
      expect(alert?.actors.map((a) => a.id)).toContain('us-dod');
    });

    it('NYT: Biden weighing 1,000–5,000 troops for the Baltics and Eastern Europe, possibly ten times more', () => {
      const considered = ofType('deployment.considered').find((e) => e.payload.forceSizeMax === 5000);
      expect(considered?.payload).toMatchObject({ forceSizeMin: 1000, forceSizeMax: 5000, escalationFactor: 10 });
      expect(considered?.confirmation).toBe('reported');
      expect(considered?.actors.some((a) => a.id === 'new-york-times' && a.role === 'reporter')).toBe(true);
    });

    it('NATO sends ships and jets to Lithuania, Bulgaria and Romania on 24 January', () => {
      const nato = ofType('deployment.announced').find((e) => e.occurredAt.startsWith('2022-01-24') && e.actors[0]!.id === 'nato');
      expect(nato?.payload.destinations).toEqual(expect.arrayContaining(['LT', 'BG', 'RO']));
      const dk = ofType('deployment.announced').find((e) => e.actors[0]!.id === 'denmark-government');
      expect(dk?.payload).toMatchObject({
        destinations: ['LT'],
        assets: expect.arrayContaining([{ kind: 'F-16 fighter jets', count: 4 }]),
      });
      expect(ofType('deployment.announced').some((e) => e.actors[0]!.id === 'netherlands-government')).toBe(true);
    });

    it('Stoltenberg: NATO threatens no one', () => {
      expect(ofType('statement.issued').some((e) => e.payload.speaker === 'Jens Stoltenberg' && /threatens no one/.test(text(e)))).toBe(
        true,
      );
    });

    it('Peskov: "great concern", the US is escalating tensions', () => {
      const c = ofType('concern.expressed').find((e) => /great concern/.test(String(e.payload.quote)));
      expect(c?.occurredAt).toBe('2022-01-25T00:00:00Z');
      expect(c?.actors).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'dmitry-peskov', role: 'spokesperson' })]));
      expect(text(c!)).toMatch(/escalating tensions/);
    });

    it('Peskov: the security-guarantee talks are "completed at the current stage"', () => {
      const n = ofType('negotiations.updated').find((e) => e.payload.status === 'completed');
      expect(n?.summary).toContain('completed at the current stage');
    });

    it('Russia denies preparing an invasion; troop moves are an internal affair and a precaution against NATO', () => {
      const d = ofType('denial.issued').find((e) => e.occurredAt.startsWith('2022-01-25'));
      expect(d?.payload.denies).toMatch(/invasion/);
      expect(d?.payload.counterClaim).toMatch(/internal affair/);
      expect(d?.payload.counterClaim).toMatch(/precaution/);
    });
  });

  describe('covers the wider crisis', () => {
    it.each([
      ['2021-11-10', 'troops.moved'],
      ['2021-11-12', 'denial.issued'],
      ['2021-11-22', 'denial.issued'],
      ['2021-12-07', 'talks.held'],
      ['2021-12-16', 'sanctions.announced'],
      ['2021-12-17', 'negotiations.updated'],
      ['2022-01-10', 'talks.held'],
      ['2022-01-13', 'negotiations.updated'],
      ['2022-01-13', 'cyber.incident'],
      ['2022-01-17', 'troops.moved'],
      ['2022-01-19', 'talks.held'],
      ['2022-01-21', 'talks.held'],
      ['2022-01-25', 'troops.moved'],
      ['2022-01-26', 'negotiations.updated'],
      ['2022-01-31', 'talks.held'],
      ['2022-02-02', 'deployment.announced'],
      ['2022-02-04', 'statement.issued'],
      ['2022-02-07', 'talks.held'],
      ['2022-02-10', 'troops.moved'],
      ['2022-02-12', 'talks.held'],
      ['2022-02-15', 'troops.moved'],
      ['2022-02-17', 'military.action'],
      ['2022-02-17', 'diplomat.expelled'],
      ['2022-02-19', 'troops.moved'],
      ['2022-02-22', 'sanctions.announced'],
      ['2022-02-23', 'emergency.declared'],
    ])('%s: %s', (date, type) => {
      expect(ofType(type).some((e) => e.occurredAt.startsWith(date))).toBe(true);
    });

    it('the ~175,000-troop intelligence assessment is a reported claim, not a confirmed fact', () => {
      const intel = ofType('troops.moved').find((e) => e.payload.forceSizeMax === 175000);
      expect(intel).toMatchObject({ confirmation: 'reported', occurredAt: '2021-12-03T00:00:00Z', payload: { status: 'considered' } });
    });

    it('Russia launches the invasion on 24 February, at the hour that was reported', () => {
      const inv = ofType('military.action').find((e) => e.payload.kind === 'invasion');
      expect(inv).toMatchObject({ occurredAt: '2022-02-24T02:00:00Z', occurredAtPrecision: 'hour', occurredTz: 'Europe/Moscow' });
    });

    it('"week of" events carry a range; the Allied Resolve drills run 10–20 February', () => {
      const drills = ofType('troops.moved').find((e) => e.occurredAt.startsWith('2022-02-10'));
      expect(drills).toMatchObject({ occurredUntil: '2022-02-20T00:00:00Z', payload: { activity: 'exercise' } });
    });

    it('notes the time zone where sources disagree (embassy order 23/24 Jan)', () => {
      const embassy = ofType('statement.issued').find((e) => e.occurredAt.startsWith('2022-01-23'));
      expect(embassy).toMatchObject({ occurredTz: 'America/New_York', tags: expect.arrayContaining(['timezone-note']) });
    });
  });

  describe('corrections and retractions', () => {
    const corrections = ofType('entry.corrected');
    const target = (e: EventEnvelope) => byId.get((e.payload as unknown as EntryCorrectedPayload).targetEventId);

    it('every meta event names an earlier line of the file', () => {
      for (const m of [...corrections, ...ofType('entry.retracted')]) {
        const t = target(m);
        expect(t).toBeDefined();
        expect(events.indexOf(t!)).toBeLessThan(events.indexOf(m));
        expect(eventCatalogue.get(t!.type)!.meta).toBe(false);
      }
    });

    it('the Stryker squadron: first reported in the 82nd Airborne, corrected to the 2nd Cavalry Regiment (substantive)', () => {
      const c = corrections.find((e) => target(e)?.payload.forceSize === 1000 && target(e)?.type === 'deployment.announced');
      expect(c).toBeDefined();
      const p = c!.payload as unknown as EntryCorrectedPayload;
      expect(p.severity).toBe('substantive');
      expect(target(c!)!.payload.units).toEqual(['82nd Airborne Division']);
      expect(p.replaces.payload).toMatchObject({ units: ['2nd Cavalry Regiment'] });
      expect(p.note).toMatch(/^Correction:/);
      // The replacement payload must itself be valid for the corrected entry's type.
      const fixed = eventCatalogue.decode({ ...target(c!)!, payload: p.replaces.payload, summary: p.replaces.summary });
      expect(fixed.ok).toBe(true);
    });

    it('the recognition date: 22 → 21 February (minor, a time-zone slip)', () => {
      const c = corrections.find((e) => target(e)?.type === 'recognition.declared');
      const p = c!.payload as unknown as EntryCorrectedPayload;
      expect(target(c!)!.occurredAt).toBe('2022-02-22T00:00:00Z');
      expect(p).toMatchObject({ severity: 'minor', replaces: { occurredAt: '2022-02-21T00:00:00Z' } });
    });

    it('a duplicate embassy entry is withdrawn with a public reason', () => {
      const [r] = ofType('entry.retracted');
      const p = r!.payload as unknown as EntryRetractedPayload;
      expect(p.reason).toMatch(/^Withdrawn:/);
      expect(byId.get(p.targetEventId)?.occurredAt).toBe('2022-01-24T00:00:00Z');
    });
  });

  describe('Russian and Ukrainian originals (issue 16)', () => {
    const cyrillic = /[\u0400-\u04ff]/;
    const key = (k: string) => byId.get(datasetEventId(STORY, k))!;

    it('keeps the words a quote was said in, with its language', () => {
      for (const k of ['2021-11-12/peskov-calls-invasion-reports-groundless', '2021-11-22/peskov-information-campaign']) {
        const p = key(k).payload as { quote?: string; quoteLanguage?: string };
        expect(p.quoteLanguage).toBe('ru');
        expect(p.quote).toMatch(cyrillic);
      }
    });

    it('cites the original-language sources of entries whose primary source is Russian or Ukrainian, each with its language', () => {
      const withOriginal = events.filter((e) => e.sources.some((s) => s.language === 'ru' || s.language === 'uk'));
      expect(withOriginal.length).toBeGreaterThanOrEqual(7);
      expect(key('2022-02-07/macron-putin-moscow-talks').sources).toEqual(
        expect.arrayContaining([expect.objectContaining({ role: 'primary', language: 'ru', url: expect.stringMatching(/kremlin\.ru\//) })]),
      );
      expect(key('2022-02-23/ukraine-state-of-emergency').sources).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ role: 'primary', language: 'uk', url: expect.stringMatching(/rada\.gov\.ua\//) }),
        ]),
      );
    });
  });

  describe('one event, many reports; who denied what (issue 14)', () => {
    const key = (k: string) => byId.get(datasetEventId(STORY, k))!;
    const merges = ofType('entry.merged').map((e) => e.payload as { survivorId: string; mergedIds: string[] });

    it('merges real reports of the same fact into at least three entries, each report naming its outlet and origin', () => {
      expect(merges.length).toBeGreaterThanOrEqual(3);
      for (const m of merges) {
        const survivor = byId.get(m.survivorId)!;
        for (const id of m.mergedIds) {
          const report = byId.get(id)!;
          expect(report.type).toBe(survivor.type);
          expect(report.storyId).toBe(survivor.storyId);
          for (const s of report.sources) expect(s.outletKind).toBeDefined();
        }
      }
      const alert = merges.find((m) => m.survivorId === datasetEventId(STORY, '2022-01-24/pentagon-8500-troops-heightened-alert'))!;
      expect(alert.mergedIds.map((id) => byId.get(id)!.sources[0]!.originOutlet ?? byId.get(id)!.sources[0]!.outlet)).toEqual([
        'Associated Press',
        'Associated Press',
        'The Hill',
      ]);
    });

    it('splits the report of a later event back out', () => {
      const [split] = ofType('entry.split');
      const p = split!.payload as { survivorId: string; splitIds: string[] };
      expect(merges.some((m) => m.survivorId === p.survivorId && p.splitIds.every((id) => m.mergedIds.includes(id)))).toBe(true);
      expect(byId.get(p.splitIds[0]!)!.occurredAt > byId.get(p.survivorId)!.occurredAt).toBe(true);
    });

    it('links at least five claims to what they deny, contradict, confirm or answer, all within the dataset', () => {
      const links = [
        ...events.flatMap((e) => (e.relatesTo ?? []).map((r) => ({ from: e.eventId, to: r.entryId, relation: r.relation }))),
        ...ofType('entry.related').map((e) => {
          const p = e.payload as { fromId: string; toId: string; relation: string };
          return { from: p.fromId, to: p.toId, relation: p.relation };
        }),
      ];
      expect(links.length).toBeGreaterThanOrEqual(5);
      for (const l of links) {
        expect(byId.has(l.from)).toBe(true);
        expect(byId.has(l.to)).toBe(true);
      }
      expect(new Set(links.map((l) => l.relation))).toEqual(new Set(['denies', 'contradicts', 'confirms', 'respondsTo']));
      expect(key('2022-02-15/kremlin-baseless-hysteria').relatesTo).toEqual([
        { entryId: datasetEventId(STORY, '2022-02-11/sullivan-invasion-could-come-during-olympics'), relation: 'denies' },
      ]);
    });
  });
});
