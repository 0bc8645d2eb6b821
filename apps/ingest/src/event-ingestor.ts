import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  LIMITS,
  envelopeInputOfCloudEvent,
  eventCatalogue,
  prepareEvent,
  type Clock,
  type PrepareResult,
  type PreparedEvent,
  type ValidationIssue,
} from '@timeline/events';
import { CodedError, type ProblemField } from '@timeline/http';
import { EventPublisher, KafkaPublishError, type PublishedEvent } from '@timeline/kafka';
import { LOGGER } from '@timeline/observability';
import { withDetectedLanguage } from './detected-language.js';
import { IngestMetrics } from './ingest-metrics.js';
import { CLOCK } from './ingest.tokens.js';
import { StoredEventLookup, type IdConflict } from './stored-event-lookup.js';

/** How a request body's events are written: envelopes (application/json) or structured CloudEvents. */
export type IngestFormat = 'envelope' | 'cloudevent';

/** One body item as ingest input, and how to point back into the item for errors. */
type Adapted = { ok: true; input: unknown; pointerOf: (p: string) => string } | { ok: false; issues: readonly ValidationIssue[] };

const ADAPTERS: Record<IngestFormat, (item: unknown) => Adapted> = {
  envelope: (item) => ({ ok: true, input: item, pointerOf: (p) => p }),
  cloudevent: (item) => envelopeInputOfCloudEvent(item),
};

/** Seconds a client should wait before retrying when Kafka did not acknowledge. */
export const KAFKA_RETRY_AFTER_SECONDS = 5;

/**
 * The write path: validate with the catalogue (`prepareEvent`), then publish with one Kafka send per
 * request. A request is all-or-nothing as far as validation goes: one bad event and nothing is sent.
 * A 202 is only ever built from Kafka's acknowledgement.
 */
@Injectable()
export class EventIngestor {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: IngestMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly stored: StoredEventLookup,
  ) {}

  /** Validates and publishes one event (an envelope, or a structured CloudEvent mapped onto one). */
  async ingestOne(body: unknown, format: IngestFormat = 'envelope'): Promise<PublishedEvent> {
    const r = this.prepare(body, format);
    if (!r.ok) {
      this.metrics.rejected.inc({ code: r.code });
      throw new CodedError(r.code, r.message, fields(r.issues, '', r.code));
    }
    const [published] = await this.publish([r.envelope], undefined);
    return published!;
  }

  /** Validates every event of a batch (an array, or `{ events: [...] }`) and publishes them in one send. */
  async ingestBatch(body: unknown, format: IngestFormat = 'envelope'): Promise<PublishedEvent[]> {
    const { events, pointer } = unwrapBatch(body);
    const results: PrepareResult[] = events.map((e) => this.prepare(e, format));
    const errors: ProblemField[] = [];
    let invalid = 0;
    results.forEach((r, i) => {
      if (r.ok) return;
      invalid++;
      this.metrics.rejected.inc({ code: r.code });
      errors.push(...fields(r.issues, `${pointer}/${i}`, r.code));
    });
    if (invalid > 0) {
      if (events.length > invalid) this.metrics.rejected.inc({ code: 'EVENT.INVALID_BATCH' }, events.length - invalid);
      throw new CodedError(
        'EVENT.INVALID_BATCH',
        `${invalid} of ${events.length} event(s) are invalid; nothing was published (a batch is all-or-nothing).`,
        errors,
      );
    }
    return this.publish(
      results.map((r) => (r as Extract<PrepareResult, { ok: true }>).envelope),
      pointer,
    );
  }

  /** prepareEvent on the item as `format` maps it; issue paths point into the item as the client sent it. */
  private prepare(item: unknown, format: IngestFormat): PrepareResult {
    const adapted = ADAPTERS[format](item);
    if (!adapted.ok) {
      return {
        ok: false,
        code: 'EVENT.INVALID_ENVELOPE',
        message: 'the CloudEvent cannot be mapped onto an event envelope',
        issues: adapted.issues,
      };
    }
    const r = prepareEvent(adapted.input, { clock: this.clock });
    return r.ok ? withDetectedLanguage(r) : { ...r, issues: r.issues.map((i) => ({ ...i, path: adapted.pointerOf(i.path) })) };
  }

  private mergeProblems(envelopes: PreparedEvent[], pointer: string | undefined): Promise<ProblemField[]> {
    return mergeProblemsOf(
      envelopes,
      pointer,
      (ids) => this.stored.storedKinds(ids),
      (id) => this.stored.publishedRecently(id),
    );
  }

  /** `pointer`: where a batch's events sit in the body (`/events`, or `` for a bare array); undefined for one event. */
  private async publish(envelopes: PreparedEvent[], pointer: string | undefined): Promise<PublishedEvent[]> {
    const conflicts = await this.stored.conflicts(envelopes);
    if (conflicts.length > 0) throw conflictErrorOf(conflicts, pointer);
    const invalidMerges = await this.mergeProblems(envelopes, pointer);
    if (invalidMerges.length > 0) {
      const code = invalidMerges.some((p) => p.code === 'EVENT.MERGE_CROSS_STORY')
        ? 'EVENT.MERGE_CROSS_STORY'
        : 'EVENT.MERGE_UNKNOWN_ENTRY';
      this.metrics.rejected.inc({ code }, envelopes.length);
      throw new CodedError(
        code,
        `An entry.merged / entry.split names entries it cannot join (see errors); nothing was published.`,
        invalidMerges,
      );
    }
    const done = this.metrics.publishSeconds.startTimer();
    try {
      const published = await this.publisher.publish(envelopes);
      done({ outcome: 'acknowledged' });
      this.stored.remember(envelopes);
      for (const e of envelopes) this.metrics.accepted.inc({ type: e.type });
      return published;
    } catch (err) {
      done({ outcome: 'failed' });
      this.metrics.rejected.inc({ code: 'UNAVAILABLE.KAFKA' }, envelopes.length);
      if (err instanceof KafkaPublishError && err.tooLarge) {
        throw new CodedError('REQUEST.TOO_LARGE', err.message, [], {}, { cause: err });
      }
      this.logger.warn({ err, events: envelopes.length }, 'Kafka did not acknowledge a publish');
      throw new CodedError(
        'UNAVAILABLE.KAFKA',
        'Kafka did not acknowledge the events, so none of them may be assumed published. Retry later with the same eventIds (listed in eventIds); duplicates are discarded by eventId.',
        [],
        { retryAfterSeconds: KAFKA_RETRY_AFTER_SECONDS, eventIds: envelopes.map((e) => e.eventId) },
        { cause: err },
      );
    }
  }
}

/**
 * What ingest can tell about a merge or split without the read model (issue 14): an id that is a
 * stored event of another story than the meta event's (`EVENT.MERGE_CROSS_STORY`), a stored meta
 * event rather than an entry, or — when the archive answered — an id that is neither stored, nor in
 * the same request, nor published by this process a moment ago (`EVENT.MERGE_UNKNOWN_ENTRY`): a 202
 * means stored, so a merge the projector would dead-letter is refused here. When the archive cannot
 * answer (no DATABASE_URL, PostgreSQL down) unknown ids pass, and the projector, the authority,
 * dead-letters what is still invalid when the merge arrives.
 */
export async function mergeProblemsOf(
  envelopes: readonly PreparedEvent[],
  pointer: string | undefined,
  storedKinds: (ids: string[]) => Promise<Map<string, { storyId: string; type: string }> | undefined>,
  publishedRecently: (id: string) => boolean = () => false,
): Promise<ProblemField[]> {
  const groups = envelopes.flatMap((e, index) => {
    if (e.type !== 'entry.merged' && e.type !== 'entry.split') return [];
    const p = e.payload as { survivorId: string; mergedIds?: string[]; splitIds?: string[] };
    const field = e.type === 'entry.merged' ? 'mergedIds' : 'splitIds';
    const named = [
      { id: p.survivorId, path: '/payload/survivorId' },
      ...(p[field] ?? []).map((id, i) => ({ id, path: `/payload/${field}/${i}` })),
    ];
    return [{ index, storyId: e.storyId, named }];
  });
  if (groups.length === 0) return [];
  const stored = await storedKinds([...new Set(groups.flatMap((g) => g.named.map((n) => n.id.toLowerCase())))]);
  const known = new Map(stored ?? []);
  for (const e of envelopes) known.set(e.eventId.toLowerCase(), { storyId: e.storyId, type: e.type });
  const problems: ProblemField[] = [];
  for (const g of groups) {
    const at = pointer === undefined ? '' : `${pointer}/${g.index}`;
    for (const n of g.named) {
      const k = known.get(n.id.toLowerCase());
      if (!k) {
        if (stored && !publishedRecently(n.id)) {
          problems.push({
            path: `${at}${n.path}`,
            message: `no entry ${n.id} is stored: publish its report first, or check the id (a report published a moment ago through another ingest process may need a retry)`,
            code: 'EVENT.MERGE_UNKNOWN_ENTRY',
          });
        }
        continue;
      }
      if (eventCatalogue.get(k.type)?.meta) {
        problems.push({ path: `${at}${n.path}`, message: `${n.id} is a ${k.type} event, not an entry`, code: 'EVENT.MERGE_UNKNOWN_ENTRY' });
      } else if (k.storyId !== g.storyId) {
        problems.push({
          path: `${at}${n.path}`,
          message: `${n.id} belongs to story "${k.storyId}", not "${g.storyId}": only reports of one story merge`,
          code: 'EVENT.MERGE_CROSS_STORY',
        });
      }
    }
  }
  return problems;
}

/** 409: an eventId is taken by other content (nothing of the request was published). */
function conflictErrorOf(conflicts: IdConflict[], pointer: string | undefined): CodedError {
  const at = (c: IdConflict) => (pointer === undefined ? '/eventId' : `${pointer}/${c.index}/eventId`);
  const one = conflicts[0]!;
  return new CodedError(
    'EVENT.ID_CONFLICT',
    conflicts.length === 1
      ? `eventId ${one.eventId} is already taken by an event with other content; nothing was published. Events are immutable: publish entry.corrected to change it, or use a new eventId.`
      : `${conflicts.length} eventIds are already taken by events with other content; nothing was published.`,
    conflicts.map((c) => ({
      path: at(c),
      message: `is stored with other content (stored ${c.storedDigest}, sent ${c.digest})`,
      code: 'EVENT.ID_CONFLICT',
    })),
    { storedDigest: one.storedDigest },
  );
}

/** The events of a batch body and the JSON Pointer they live under (`` for an array, `/events` for an object). */
function unwrapBatch(body: unknown): { events: unknown[]; pointer: string } {
  let events: unknown;
  let pointer: string;
  if (Array.isArray(body)) {
    events = body;
    pointer = '';
  } else if (typeof body === 'object' && body !== null) {
    const extra = Object.keys(body).filter((k) => k !== 'events');
    if (extra.length) {
      throw new CodedError(
        'EVENT.INVALID_BATCH',
        'A batch is a JSON array of events or an object { "events": [...] }.',
        extra.map((k) => ({ path: `/${escapePointer(k)}`, message: 'is not a known field' })),
      );
    }
    events = (body as { events?: unknown }).events;
    pointer = '/events';
    if (!Array.isArray(events)) {
      throw new CodedError('EVENT.INVALID_BATCH', 'A batch is a JSON array of events or an object { "events": [...] }.', [
        { path: '/events', message: events === undefined ? 'is required' : 'must be array' },
      ]);
    }
  } else {
    throw new CodedError('EVENT.INVALID_BATCH', 'A batch is a JSON array of events or an object { "events": [...] }.', [
      { path: '/', message: 'must be array or object' },
    ]);
  }
  const list = events as unknown[];
  if (list.length === 0) {
    throw new CodedError('EVENT.INVALID_BATCH', 'The batch is empty.', [
      { path: pointer || '/', message: 'must NOT have fewer than 1 items' },
    ]);
  }
  if (list.length > LIMITS.batchEvents) {
    throw new CodedError('EVENT.INVALID_BATCH', `A batch holds at most ${LIMITS.batchEvents} events; this one has ${list.length}.`, [
      { path: pointer || '/', message: `must NOT have more than ${LIMITS.batchEvents} items` },
    ]);
  }
  return { events: list, pointer };
}

/** Catalogue issues → problem fields under `prefix` (a decode path `/` means the event itself). */
function fields(issues: readonly ValidationIssue[], prefix: string, code: string): ProblemField[] {
  return issues.map((i) => ({ path: `${prefix}${i.path === '/' ? '' : i.path}` || '/', message: i.message, code }));
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
