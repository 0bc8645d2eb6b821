import { Inject, Injectable } from '@nestjs/common';
import { CodedError } from '@timeline/http';
import { PageCursorCodec } from './query/page-cursor.js';
import { filterFingerprint, parseCandidatesQuery, parseEntryQuery, parseStatsQuery, parseTimelineQuery } from './query/timeline-filter.js';
import { duplicateScore, type ScoreReason } from './candidates/duplicate-score.js';
import { displayDate } from './presentation/display-date.js';
import type { CandidateFacts } from './read-model/timeline-reader.js';
import type { RawQuery } from './query/query-reader.js';
import { entryView, incomingViews, isoOut, noticesOf, versionView, type EntryView, type VersionView } from './presentation/entry-view.js';
import { TimelineReader } from './read-model/timeline-reader.js';
import { StreamPositionCodec } from './stream/stream-position.js';

/** `GET /v1/timeline` body. */
export interface TimelinePage {
  data: EntryView[];
  page: { limit: number; order: 'asc' | 'desc'; sort: 'time' | 'corroboration'; nextCursor: string | null; hasMore: boolean };
  asOf: string | null;
  streamPosition: string | null;
}

/** `GET /v1/stats` body. */
export interface TimelineStats {
  bucket: 'day' | 'week';
  buckets: { start: string; total: number; byType: Record<string, number>; byActor: Record<string, number> }[];
  totalsByType: Record<string, number>;
  actors: { id: string; name: string; count: number }[];
  total: number;
  asOf: string | null;
}

/** An entry as a duplicate candidate names it. */
export interface CandidateEntry {
  id: string;
  storyId: string;
  type: string;
  summary: string;
  occurredAt: string;
  occurredAtPrecision: CandidateFacts['occurred_precision'];
  displayDate: string;
}

/** One proposed duplicate of an entry. */
export interface Candidate {
  entry: CandidateEntry;
  score: number;
  reasons: ScoreReason[];
}

/** One proposed duplicate pair of a story. */
export interface CandidatePair {
  a: CandidateEntry;
  b: CandidateEntry;
  score: number;
  reasons: ScoreReason[];
}

/** How many pairs the database ranks by text similarity before they are scored (bounds the work per request). */
const CANDIDATE_POOL = 500;

function candidateEntry(f: CandidateFacts): CandidateEntry {
  let shown: string;
  try {
    shown = displayDate(f.occurred_at, f.occurred_precision, f.occurred_until, f.occurred_tz);
  } catch {
    shown = f.occurred_at.slice(0, 10);
  }
  return {
    id: f.entry_id,
    storyId: f.story_id,
    type: f.type,
    summary: f.summary,
    occurredAt: isoOut(f.occurred_at),
    occurredAtPrecision: f.occurred_precision,
    displayDate: shown,
  };
}

/** Turns validated queries into read-model reads and API views (the REST endpoints' logic). */
@Injectable()
export class TimelineQueryService {
  constructor(
    @Inject(TimelineReader) private readonly reader: TimelineReader,
    @Inject(PageCursorCodec) private readonly cursors: PageCursorCodec,
    @Inject(StreamPositionCodec) private readonly positions: StreamPositionCodec,
  ) {}

  async timeline(raw: RawQuery): Promise<TimelinePage> {
    const q = parseTimelineQuery(raw);
    const fingerprint = filterFingerprint(q.filter, q.order, q.sort);
    const after = q.cursor ? this.cursors.decode(q.cursor, fingerprint) : undefined;
    const page = await this.reader.page(q.filter, q.order, q.limit, after, q.sort);
    const last = page.rows[page.rows.length - 1];
    const nextCursor =
      page.hasMore && last
        ? this.cursors.encode(
            {
              occurredAt: last.occurred_at,
              recordedAt: last.recorded_at,
              entryId: last.entry_id,
              ...(q.sort === 'corroboration'
                ? { corroboration: { independentOutlets: last.independent_outlets, reports: last.report_count } }
                : {}),
            },
            fingerprint,
          )
        : null;
    return {
      data: page.rows.map((r) => entryView(r, page.notices)),
      page: { limit: q.limit, order: q.order, sort: q.sort, nextCursor, hasMore: page.hasMore },
      asOf: q.filter.asOf?.iso ?? null,
      streamPosition: page.highWater ? this.positions.encode(new Map([...page.highWater].map(([p, o]) => [p, { offset: o }]))) : null,
    };
  }

  async entry(id: string, raw: RawQuery): Promise<{ entry: EntryView; history: VersionView[]; asOf: string | null }> {
    const q = parseEntryQuery(raw, id);
    const found = await this.reader.entry(q.id, q.asOf);
    if (!found) {
      throw new CodedError(
        'NOT_FOUND',
        q.asOf ? `No entry ${q.id} was known at ${q.asOf.iso}.` : `No entry ${q.id} exists in the timeline.`,
      );
    }
    const history = found.versions.map(versionView);
    const notices = noticesOf(found.versions);
    const entry = entryView(found.row, notices);
    entry.relations.incoming = incomingViews(found.incoming, found.row.entry_id);
    return { entry, history, asOf: q.asOf?.iso ?? null };
  }

  /** `GET /v1/entries/:id/candidates`: likely duplicates of one entry, best first (nothing is merged). */
  async entryCandidates(id: string, raw: RawQuery): Promise<{ entryId: string; data: Candidate[] }> {
    const q = parseCandidatesQuery(raw, { id });
    const entryId = id.toLowerCase();
    const pairs = await this.reader.candidatePairs({ entryId }, CANDIDATE_POOL);
    if (!pairs) throw new CodedError('NOT_FOUND', `No entry ${entryId} exists in the timeline.`);
    const data = pairs
      .map((p) => ({ entry: candidateEntry(p.b), ...duplicateScore(p.a, p.b, p.text_similarity) }))
      .filter((c) => c.score >= q.minScore && c.score > 0)
      .sort((x, y) => y.score - x.score || x.entry.id.localeCompare(y.entry.id))
      .slice(0, q.limit);
    return { entryId, data };
  }

  /** `GET /v1/stories/:storyId/candidates`: likely duplicate pairs across one story, best first. */
  async storyCandidates(storyId: string, raw: RawQuery): Promise<{ storyId: string; data: CandidatePair[] }> {
    const q = parseCandidatesQuery(raw, { storyId });
    const pairs = (await this.reader.candidatePairs({ storyId }, CANDIDATE_POOL)) ?? [];
    const data = pairs
      .map((p) => ({ a: candidateEntry(p.a), b: candidateEntry(p.b), ...duplicateScore(p.a, p.b, p.text_similarity) }))
      .filter((c) => c.score >= q.minScore && c.score > 0)
      .sort((x, y) => y.score - x.score || x.a.id.localeCompare(y.a.id) || x.b.id.localeCompare(y.b.id))
      .slice(0, q.limit);
    return { storyId, data };
  }

  async stats(raw: RawQuery): Promise<TimelineStats> {
    const q = parseStatsQuery(raw);
    const rows = await this.reader.stats(q);
    const buckets = new Map<string, TimelineStats['buckets'][number]>();
    const bucket = (start: string) => {
      let b = buckets.get(start);
      if (!b) buckets.set(start, (b = { start, total: 0, byType: {}, byActor: {} }));
      return b;
    };
    const totalsByType: Record<string, number> = {};
    let total = 0;
    for (const r of rows.byType) {
      const b = bucket(r.bucket);
      b.byType[r.type] = r.count;
      b.total += r.count;
      totalsByType[r.type] = (totalsByType[r.type] ?? 0) + r.count;
      total += r.count;
    }
    const actors = new Map<string, { id: string; name: string; count: number }>();
    for (const r of rows.byActor) {
      bucket(r.bucket).byActor[r.actor_id] = r.count;
      const a = actors.get(r.actor_id) ?? { id: r.actor_id, name: r.actor_name, count: 0 };
      a.count += r.count;
      actors.set(r.actor_id, a);
    }
    return {
      bucket: q.bucket,
      buckets: [...buckets.values()].sort((a, b) => a.start.localeCompare(b.start)),
      totalsByType,
      actors: [...actors.values()].sort((a, b) => b.count - a.count || a.id.localeCompare(b.id)),
      total,
      asOf: q.filter.asOf?.iso ?? null,
    };
  }
}
