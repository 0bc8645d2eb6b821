import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { eventCatalogue as defaultCatalogue, eventContentDigest, type EventCatalogue, type EventEnvelope } from '@timeline/events';
import { assignList, queryRows, selectList, unnestSource, type BulkColumn } from './bulk-sql.js';
import {
  GROUP_META_TYPES,
  createdVersion,
  derivedColumns,
  entryKey,
  groupVersions,
  metaTarget,
  metaTargets,
  nextVersion,
  survivorAfterReportChange,
  type EntrySnapshot,
  type EntryStatus,
  type EntryVersionRow,
} from './entry-snapshot.js';
import type { EventPosition, PositionedEvent } from './positioned-event.js';

/** Options for {@link TimelineProjectionWriter.apply}. */
export interface ProjectionApplyOptions {
  /**
   * Append the events to `event_log` first. The Kafka projector archives; a rebuild that reads its
   * input back from `event_log` passes `false`. @default true
   */
  readonly archive?: boolean;
}

/** A meta event that named an existing entry but could not be applied to it. */
export interface RejectedEvent {
  readonly eventId: string;
  readonly position: EventPosition;
  /** Stable reason code, e.g. `EVENT.INVALID_CORRECTION`. */
  readonly code: string;
  readonly message: string;
}

/** What one {@link TimelineProjectionWriter.apply} call did. All ids are lower-case. */
export interface ProjectionApplyResult {
  /** Events newly archived in `event_log` (empty when `archive` is off). */
  readonly appended: string[];
  /** Events that changed this projection: entries created, corrections and retractions applied. */
  readonly applied: string[];
  /** Events this projection had already applied (redelivery, republished duplicates): no change. */
  readonly duplicates: string[];
  /** Corrections/retractions whose target is not projected yet: kept in `pending_corrections`. */
  readonly deferred: string[];
  /** Earlier-deferred corrections/retractions applied now because their target arrived. */
  readonly resolvedPending: string[];
  /** Corrections that would make their target invalid; not applied (the caller dead-letters them). */
  readonly rejected: RejectedEvent[];
  /** Entries created or changed (for `pg_notify`). */
  readonly entryIds: string[];
}

interface StoredEntryRow {
  entry_id: string;
  story_id: string;
  type: string;
  schema_version: number;
  cameo_code: string | null;
  occurred_at: string;
  occurred_precision: EntrySnapshot['occurredPrecision'];
  occurred_until: string | null;
  occurred_tz: string | null;
  recorded_at: string;
  updated_at: string;
  version: number;
  status: EntryStatus;
  confirmation: EntrySnapshot['confirmation'];
  summary: string;
  language: string;
  language_detected_by: string | null;
  translations: EntrySnapshot['translations'];
  actors: EntrySnapshot['actors'];
  locations: EntrySnapshot['locations'];
  sources: EntrySnapshot['sources'];
  payload: Record<string, unknown>;
  tags: string[];
  merged_into: string | null;
  merged_reports: EntrySnapshot['mergedReports'];
  relations: EntrySnapshot['relations'];
  source_partition: number;
  source_offset: string;
}

interface PendingRow {
  event_id: string;
  envelope: Record<string, unknown>;
  source_topic: string | null;
  source_partition: number;
  source_offset: string;
  received_at: string;
}

type VersionOut = EntryVersionRow & { recordedTo: string | null };
type Derived = EntryVersionRow & ReturnType<typeof derivedColumns>;

// Timestamps are read back as ISO 8601 text (to_json), keeping microseconds and passing the catalogue's
// date-time format when a correction is re-validated.
const ENTRY_SELECT = `entry_id::text AS entry_id, story_id, type, schema_version, cameo_code,
  to_json(occurred_at) #>> '{}' AS occurred_at, occurred_precision, to_json(occurred_until) #>> '{}' AS occurred_until,
  occurred_tz, to_json(recorded_at) #>> '{}' AS recorded_at, to_json(updated_at) #>> '{}' AS updated_at, version, status,
  confirmation, summary, language, language_detected_by, translations, actors, locations, sources, payload, tags,
  merged_into::text AS merged_into, merged_reports, relations, source_partition, source_offset::text AS source_offset`;

/** Columns `timeline_entries` and `entry_versions` share (one entry state). */
const STATE_COLUMNS: BulkColumn<Derived>[] = [
  { name: 'entry_id', type: 'uuid', value: (r) => r.entryId },
  { name: 'story_id', type: 'text', value: (r) => r.storyId },
  { name: 'type', type: 'text', value: (r) => r.type },
  { name: 'cameo_code', type: 'text', value: (r) => r.cameoCode },
  { name: 'occurred_at', type: 'timestamptz', value: (r) => r.occurredAt },
  { name: 'occurred_precision', type: 'text', value: (r) => r.occurredPrecision },
  { name: 'occurred_until', type: 'timestamptz', value: (r) => r.occurredUntil },
  { name: 'occurred_tz', type: 'text', value: (r) => r.occurredTz },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'confirmation', type: 'text', value: (r) => r.confirmation },
  { name: 'summary', type: 'text', value: (r) => r.summary },
  { name: 'language', type: 'text', value: (r) => r.language },
  { name: 'language_detected_by', type: 'text', value: (r) => r.languageDetectedBy },
  { name: 'translations', type: 'jsonb', value: (r) => r.translations },
  { name: 'actors', type: 'jsonb', value: (r) => r.actors },
  { name: 'locations', type: 'jsonb', value: (r) => r.locations },
  { name: 'sources', type: 'jsonb', value: (r) => r.sources },
  { name: 'payload', type: 'jsonb', value: (r) => r.payload },
  { name: 'tags', type: 'text[]', value: (r) => r.tags },
  { name: 'actor_ids', type: 'text[]', value: (r) => r.actorIds },
  { name: 'countries', type: 'text[]', value: (r) => r.countries },
  { name: 'location_names', type: 'text[]', value: (r) => r.locationNames },
  { name: 'search_text', type: 'text', value: (r) => r.searchText },
  { name: 'search_texts', type: 'jsonb', value: (r) => r.searchTexts },
  { name: 'merged_into', type: 'uuid', value: (r) => r.mergedInto },
  { name: 'merged_reports', type: 'jsonb', value: (r) => r.mergedReports },
  { name: 'relations', type: 'jsonb', value: (r) => r.relations },
  { name: 'report_count', type: 'integer', value: (r) => r.reportCount },
  { name: 'independent_outlets', type: 'integer', value: (r) => r.independentOutlets },
  { name: 'source_partition', type: 'integer', value: (r) => r.position.partition },
  { name: 'source_offset', type: 'bigint', value: (r) => r.position.offset },
];

const ENTRY_COLUMNS: BulkColumn<Derived>[] = [
  ...STATE_COLUMNS,
  { name: 'schema_version', type: 'integer', value: (r) => r.schemaVersion },
  { name: 'recorded_at', type: 'timestamptz', value: (r) => r.recordedAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
  { name: 'version', type: 'integer', value: (r) => r.version },
];

const VERSION_COLUMNS: BulkColumn<Derived & { recordedTo: string | null }>[] = [
  ...STATE_COLUMNS,
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'event_id', type: 'uuid', value: (r) => r.eventId },
  { name: 'change', type: 'text', value: (r) => r.change },
  { name: 'correction_severity', type: 'text', value: (r) => r.correctionSeverity },
  { name: 'change_note', type: 'text', value: (r) => r.changeNote },
  { name: 'recorded_from', type: 'timestamptz', value: (r) => r.updatedAt },
  { name: 'recorded_to', type: 'timestamptz', value: (r) => r.recordedTo },
];

const EVENT_LOG_COLUMNS: BulkColumn<PositionedEvent>[] = [
  { name: 'event_id', type: 'uuid', value: (p) => p.event.eventId },
  { name: 'story_id', type: 'text', value: (p) => p.event.storyId },
  { name: 'type', type: 'text', value: (p) => p.event.type },
  { name: 'schema_version', type: 'integer', value: (p) => originalVersion(p) },
  { name: 'occurred_at', type: 'timestamptz', value: (p) => p.event.occurredAt },
  { name: 'recorded_at', type: 'timestamptz', value: (p) => p.event.recordedAt },
  { name: 'envelope', type: 'jsonb', value: (p) => p.original ?? p.event },
  { name: 'source_topic', type: 'text', value: (p) => p.position.topic },
  { name: 'source_partition', type: 'integer', value: (p) => p.position.partition },
  { name: 'source_offset', type: 'bigint', value: (p) => p.position.offset },
];

const PENDING_COLUMNS: BulkColumn<PositionedEvent>[] = [
  { name: 'event_id', type: 'uuid', value: (p) => p.event.eventId },
  { name: 'target_event_id', type: 'uuid', value: (p) => metaTarget(p.event) },
  // The decoded (current-version) envelope and its position: applying it later needs no Kafka.
  { name: 'envelope', type: 'jsonb', value: (p) => p.event },
  { name: 'source_topic', type: 'text', value: (p) => p.position.topic },
  { name: 'source_partition', type: 'integer', value: (p) => p.position.partition },
  { name: 'source_offset', type: 'bigint', value: (p) => p.position.offset },
];

/**
 * Applies decoded events, with their log positions, to one version of the bitemporal read model
 * (`timeline_entries` + `entry_versions`), inside the caller's transaction. Knows nothing of Kafka:
 * the projector feeds it Kafka batches, a rebuild feeds it rows read back from `event_log`, tests
 * feed it hand-made events.
 *
 * Guarantees (ARCHITECTURE.md "Guarantees"):
 * - **Idempotent per projection**: an event this projection already applied (it has a version row
 *   or waits in `pending_corrections`) is skipped, so redelivery and republished duplicates change
 *   nothing. `event_log` is appended with `ON CONFLICT (event_id) DO NOTHING`.
 * - **Bulk**: a handful of multi-row `unnest` statements per call, whatever the number of events.
 * - **Bitemporal**: a regular event creates version 1; `entry.corrected` / `entry.retracted` close
 *   the current version (`recorded_to` = the new version's `recorded_from`) and add version n+1
 *   with status `corrected` / `retracted`; nothing is ever deleted from `entry_versions`.
 * - **Early corrections**: a meta event whose target is not projected yet is kept in
 *   `pending_corrections` and applied, in `recordedAt` order, in the transaction that creates the
 *   target. A transaction-scoped advisory lock (shared for creators, exclusive for deferrers)
 *   closes the race where the target and its correction commit concurrently on two partitions.
 *
 * Row positions: a version's `source_partition`/`source_offset` is the position of the message
 * whose application produced it — for a deferred correction, the target's message — so reading
 * "rows written at positions (partition, from..to)" after a notification sees every change.
 */
export class TimelineProjectionWriter {
  constructor(private readonly catalogue: EventCatalogue = defaultCatalogue) {}

  /**
   * Applies `events` (in log order) to `projection` within the transaction `tx` is bound to.
   * Throws if `tx` is not in a transaction: several statements must commit or roll back together.
   */
  async apply(
    tx: EntityManager | QueryRunner,
    projection: string,
    events: readonly PositionedEvent[],
    opts: ProjectionApplyOptions = {},
  ): Promise<ProjectionApplyResult> {
    const q = transactionRunner(tx);
    const result = {
      appended: [] as string[],
      applied: [] as string[],
      duplicates: [] as string[],
      deferred: [] as string[],
      resolvedPending: [] as string[],
      rejected: [] as RejectedEvent[],
      entryIds: [] as string[],
    };
    const unique = new Map<string, PositionedEvent>();
    for (const pe of events) {
      const id = entryKey(pe.event.eventId);
      const first = unique.get(id);
      if (!first) unique.set(id, pe);
      else if (sameContent(first, pe)) result.duplicates.push(id);
      else result.rejected.push(idConflict(pe, contentDigest(first)));
    }
    if (unique.size === 0) return result;

    if (opts.archive ?? true) {
      result.appended = await this.archive(q, [...unique.values()]);
      // Not appended = the id was archived before. Same content: a redelivery or a retry, skipped
      // below. Different content: never silently dropped (issue 19) — refused with the stored digest.
      const appended = new Set(result.appended);
      for (const conflict of await this.conflictsWithArchive(
        q,
        [...unique.values()].filter((pe) => !appended.has(entryKey(pe.event.eventId))),
      )) {
        unique.delete(entryKey(conflict.eventId));
        result.rejected.push(conflict);
      }
      if (unique.size === 0) return result;
    }
    const ids = [...unique.keys()];

    const fresh = new Set(
      (
        await queryRows<{ event_id: string }>(
          q,
          `SELECT e.id::text AS event_id FROM unnest($2::uuid[]) AS e(id)
           WHERE NOT EXISTS (SELECT 1 FROM entry_versions v WHERE v.projection = $1 AND v.event_id = e.id)
             AND NOT EXISTS (SELECT 1 FROM pending_corrections p WHERE p.projection = $1 AND p.event_id = e.id)`,
          [projection, ids],
        )
      ).map((r) => r.event_id),
    );
    for (const id of ids) if (!fresh.has(id)) result.duplicates.push(id);
    const todo = [...unique.values()].filter((pe) => fresh.has(entryKey(pe.event.eventId)));
    if (todo.length === 0) return result;

    const isMeta = (e: EventEnvelope) => this.catalogue.get(e.type)?.meta === true;
    const created = new Set(todo.filter((pe) => !isMeta(pe.event)).map((pe) => entryKey(pe.event.eventId)));
    const isGroup = (e: EventEnvelope) => GROUP_META_TYPES.includes(e.type);
    const targets = [...new Set(todo.filter((pe) => isMeta(pe.event)).flatMap((pe) => metaTargets(pe.event)))].filter(
      (t) => !created.has(t),
    );

    // Lock the entries this batch changes (FOR UPDATE: a concurrent correction on another partition
    // waits, then sees our version), then take the pending-corrections lock in the one mode we need.
    const stored = new Map<string, EntrySnapshot>();
    for (const s of await this.lockEntries(q, projection, targets)) stored.set(s.entryId, s);
    const missing = targets.filter((t) => !stored.has(t));
    const lockKey = `timeline.pending-corrections:${projection}`;
    if (missing.length > 0) {
      await q.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', [lockKey]);
      // Read committed: re-reading after the lock sees targets committed while we waited.
      for (const s of await this.lockEntries(q, projection, missing)) stored.set(s.entryId, s);
    } else if (created.size > 0) {
      await q.query('SELECT pg_advisory_xact_lock_shared(hashtext(current_schema() || $1))', [lockKey]);
    }
    // A correction of a merged report changes what its survivor accumulates: lock and load the survivors too.
    const survivors = [...new Set([...stored.values()].flatMap((e) => (e.mergedInto ? [e.mergedInto] : [])))].filter(
      (id) => !stored.has(id) && !created.has(id),
    );
    for (const s of await this.lockEntries(q, projection, survivors)) stored.set(s.entryId, s);
    const pendingByTarget = created.size > 0 ? await this.takePending(q, projection, [...created], result) : new Map();

    const chains = new Map<string, VersionOut[]>();
    const closeStored: { entryId: string; version: number; recordedTo: string }[] = [];
    const current = (id: string): EntrySnapshot | undefined => chains.get(id)?.at(-1) ?? stored.get(id);
    const record = (v: EntryVersionRow) => {
      const chain = chains.get(v.entryId) ?? [];
      const prev = chain.at(-1);
      if (prev) prev.recordedTo = v.updatedAt;
      else if (v.version > 1) closeStored.push({ entryId: v.entryId, version: v.version - 1, recordedTo: v.updatedAt });
      chain.push({ ...v, recordedTo: null });
      chains.set(v.entryId, chain);
    };
    const applyMeta = (pe: PositionedEvent, at: EventPosition): boolean => {
      const state = current(metaTarget(pe.event));
      if (!state) throw new Error(`internal: target of ${pe.event.eventId} vanished`);
      const next = nextVersion(this.catalogue, state, pe.event, at);
      if (next.ok) {
        record(next.version);
        const survivor = next.version.mergedInto && pe.event.type !== 'entry.related' ? current(next.version.mergedInto) : undefined;
        const refreshed = survivor && survivorAfterReportChange(survivor, next.version, pe.event, at);
        if (refreshed) record(refreshed);
      } else result.rejected.push({ eventId: entryKey(pe.event.eventId), position: pe.position, ...next.rejection });
      return next.ok;
    };
    const waiting = new Map<string, PositionedEvent[]>();

    for (const pe of todo) {
      const id = entryKey(pe.event.eventId);
      if (isGroup(pe.event)) {
        // Merges and splits are never deferred (see groupVersions): applied now or refused now.
        const group = groupVersions(current, pe.event, pe.position);
        if (group.ok) {
          for (const v of group.versions) record(v);
          result.applied.push(id);
        } else {
          result.rejected.push({ eventId: id, position: pe.position, ...group.rejection });
        }
      } else if (!isMeta(pe.event)) {
        record(createdVersion(pe.event, this.catalogue.cameoCodeOf(pe.event), pe.position));
        result.applied.push(id);
        for (const early of pendingByTarget.get(id) ?? []) {
          if (applyMeta(early, pe.position)) result.resolvedPending.push(entryKey(early.event.eventId));
        }
        for (const early of waiting.get(id) ?? []) {
          if (applyMeta(early, pe.position)) result.applied.push(entryKey(early.event.eventId));
        }
        waiting.delete(id);
      } else if (current(metaTarget(pe.event))) {
        if (applyMeta(pe, pe.position)) result.applied.push(id);
      } else {
        const target = metaTarget(pe.event);
        waiting.set(target, [...(waiting.get(target) ?? []), pe]);
      }
    }
    const toDefer = [...waiting.values()].flat();
    result.deferred = toDefer.map((pe) => entryKey(pe.event.eventId));
    result.entryIds = [...chains.keys()];

    await this.write(q, projection, chains, stored, closeStored, toDefer);
    return result;
  }

  /** {@link apply} in a transaction of its own, committed before returning (test data, one-off tools). */
  async applyCommitted(
    ds: DataSource,
    projection: string,
    events: readonly PositionedEvent[],
    opts: ProjectionApplyOptions = {},
  ): Promise<ProjectionApplyResult> {
    return ds.transaction((manager) => this.apply(manager, projection, events, opts));
  }

  /** Events whose id is archived with different content (see {@link eventContentDigest}). */
  private async conflictsWithArchive(q: QueryRunner, events: PositionedEvent[]): Promise<RejectedEvent[]> {
    if (events.length === 0) return [];
    const stored = new Map(
      (
        await queryRows<{ event_id: string; envelope: Record<string, unknown> }>(
          q,
          'SELECT event_id::text AS event_id, envelope FROM event_log WHERE event_id = ANY($1::uuid[])',
          [events.map((pe) => entryKey(pe.event.eventId))],
        )
      ).map((r) => [r.event_id, eventContentDigest(r.envelope)]),
    );
    return events.flatMap((pe) => {
      const digest = stored.get(entryKey(pe.event.eventId));
      return digest && digest !== contentDigest(pe) ? [idConflict(pe, digest)] : [];
    });
  }

  private async archive(q: QueryRunner, events: PositionedEvent[]): Promise<string[]> {
    const src = unnestSource(EVENT_LOG_COLUMNS, events, 1);
    const rows = await queryRows<{ event_id: string }>(
      q,
      `INSERT INTO event_log (${EVENT_LOG_COLUMNS.map((c) => c.name).join(', ')})
       SELECT ${selectList(EVENT_LOG_COLUMNS)} FROM ${src.from}
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id::text AS event_id`,
      src.params,
    );
    return rows.map((r) => r.event_id);
  }

  private async lockEntries(q: QueryRunner, projection: string, ids: string[]): Promise<EntrySnapshot[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<StoredEntryRow>(
      q,
      // ORDER BY entry_id: concurrent batches lock shared entries in one order (no lock cycles).
      `SELECT ${ENTRY_SELECT} FROM timeline_entries WHERE projection = $1 AND entry_id = ANY($2::uuid[]) ORDER BY entry_id FOR UPDATE`,
      [projection, ids],
    );
    return rows.map(toState);
  }

  /** Removes and returns the deferred meta events naming `targets`, each list in `recordedAt` order. */
  private async takePending(
    q: QueryRunner,
    projection: string,
    targets: string[],
    result: { rejected: RejectedEvent[] },
  ): Promise<Map<string, PositionedEvent[]>> {
    const rows = await queryRows<PendingRow>(
      q,
      `DELETE FROM pending_corrections WHERE projection = $1 AND target_event_id = ANY($2::uuid[])
       RETURNING event_id::text AS event_id, envelope, source_topic,
                 source_partition, source_offset::text AS source_offset, to_json(received_at) #>> '{}' AS received_at`,
      [projection, targets],
    );
    const decoded: (PositionedEvent & { receivedAt: string })[] = [];
    for (const row of rows) {
      const position = { topic: row.source_topic ?? '', partition: row.source_partition, offset: row.source_offset };
      // Stored after validation, but decoded again: the catalogue may have changed since (upcasters).
      const d = this.catalogue.decode(row.envelope);
      if (d.ok) decoded.push({ event: d.event, position, receivedAt: row.received_at });
      else result.rejected.push({ eventId: row.event_id, position, code: d.code, message: d.message });
    }
    decoded.sort(
      (a, b) =>
        Date.parse(a.event.recordedAt) - Date.parse(b.event.recordedAt) ||
        Date.parse(a.receivedAt) - Date.parse(b.receivedAt) ||
        a.position.partition - b.position.partition ||
        compareOffsets(a.position.offset, b.position.offset) ||
        a.event.eventId.localeCompare(b.event.eventId),
    );
    const byTarget = new Map<string, PositionedEvent[]>();
    for (const pe of decoded) {
      const t = metaTarget(pe.event);
      byTarget.set(t, [...(byTarget.get(t) ?? []), { event: pe.event, position: pe.position }]);
    }
    return byTarget;
  }

  private async write(
    q: QueryRunner,
    projection: string,
    chains: Map<string, VersionOut[]>,
    stored: Map<string, EntrySnapshot>,
    closeStored: { entryId: string; version: number; recordedTo: string }[],
    toDefer: PositionedEvent[],
  ): Promise<void> {
    const withDerived = <T extends EntryVersionRow>(v: T): T & ReturnType<typeof derivedColumns> => ({ ...v, ...derivedColumns(v) });
    const finals = [...chains.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, chain]) => ({ id, v: withDerived(chain.at(-1)!) }));
    const inserts = finals.filter((f) => !stored.has(f.id)).map((f) => f.v);
    const updates = finals.filter((f) => stored.has(f.id)).map((f) => f.v);

    if (inserts.length > 0) {
      const src = unnestSource(ENTRY_COLUMNS, inserts);
      await q.query(
        `INSERT INTO timeline_entries (projection, ${ENTRY_COLUMNS.map((c) => c.name).join(', ')})
         SELECT $1, ${selectList(ENTRY_COLUMNS)} FROM ${src.from}`,
        [projection, ...src.params],
      );
    }
    if (updates.length > 0) {
      const cols = ENTRY_COLUMNS.filter((c) => !['entry_id', 'schema_version', 'recorded_at'].includes(c.name));
      const src = unnestSource([ENTRY_COLUMNS[0]!, ...cols], updates);
      await q.query(
        `UPDATE timeline_entries t SET ${assignList(cols)} FROM ${src.from}
         WHERE t.projection = $1 AND t.entry_id = r.entry_id`,
        [projection, ...src.params],
      );
    }
    if (closeStored.length > 0) {
      await q.query(
        `UPDATE entry_versions v SET recorded_to = r.recorded_to
         FROM unnest($2::uuid[], $3::integer[], $4::timestamptz[]) AS r(entry_id, version, recorded_to)
         WHERE v.projection = $1 AND v.entry_id = r.entry_id AND v.version = r.version`,
        [projection, closeStored.map((c) => c.entryId), closeStored.map((c) => c.version), closeStored.map((c) => c.recordedTo)],
      );
    }
    const versions = [...chains.values()].flat().map(withDerived);
    if (versions.length > 0) {
      const src = unnestSource(VERSION_COLUMNS, versions);
      await q.query(
        `INSERT INTO entry_versions (projection, ${VERSION_COLUMNS.map((c) => c.name).join(', ')})
         SELECT $1, ${selectList(VERSION_COLUMNS)} FROM ${src.from}`,
        [projection, ...src.params],
      );
    }
    if (toDefer.length > 0) {
      const src = unnestSource(PENDING_COLUMNS, toDefer);
      await q.query(
        `INSERT INTO pending_corrections (projection, ${PENDING_COLUMNS.map((c) => c.name).join(', ')})
         SELECT $1, ${selectList(PENDING_COLUMNS)} FROM ${src.from}
         ON CONFLICT (projection, event_id) DO NOTHING`,
        [projection, ...src.params],
      );
    }
  }
}

function transactionRunner(tx: EntityManager | QueryRunner): QueryRunner {
  const runner = 'isTransactionActive' in tx ? tx : tx.queryRunner;
  if (!runner?.isTransactionActive) {
    throw new Error('TimelineProjectionWriter.apply needs an open transaction (DataSource.transaction or QueryRunner.startTransaction)');
  }
  return runner;
}

function toState(r: StoredEntryRow): EntrySnapshot {
  return {
    entryId: r.entry_id,
    storyId: r.story_id,
    type: r.type,
    schemaVersion: r.schema_version,
    cameoCode: r.cameo_code,
    occurredAt: r.occurred_at,
    occurredPrecision: r.occurred_precision,
    occurredUntil: r.occurred_until,
    occurredTz: r.occurred_tz,
    recordedAt: r.recorded_at,
    updatedAt: r.updated_at,
    version: r.version,
    status: r.status,
    confirmation: r.confirmation,
    summary: r.summary,
    language: r.language,
    languageDetectedBy: r.language_detected_by,
    translations: r.translations,
    actors: r.actors,
    locations: r.locations,
    sources: r.sources,
    payload: r.payload,
    tags: r.tags,
    mergedInto: r.merged_into,
    mergedReports: r.merged_reports,
    relations: r.relations,
    position: { partition: r.source_partition, offset: r.source_offset },
  };
}

function originalVersion(p: PositionedEvent): number {
  const v = p.original?.schemaVersion;
  return typeof v === 'number' && Number.isInteger(v) ? v : p.event.schemaVersion;
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function contentDigest(pe: PositionedEvent): string {
  return eventContentDigest((pe.original ?? pe.event) as Record<string, unknown>);
}

function sameContent(a: PositionedEvent, b: PositionedEvent): boolean {
  return contentDigest(a) === contentDigest(b);
}

/** The refusal of an event whose id is taken by other content. */
function idConflict(pe: PositionedEvent, storedDigest: string): RejectedEvent {
  return {
    eventId: entryKey(pe.event.eventId),
    position: pe.position,
    code: 'EVENT.ID_CONFLICT',
    message: `eventId ${pe.event.eventId} is already stored with other content (stored ${storedDigest}, this one ${contentDigest(pe)}); an event is immutable — publish a correction (entry.corrected) or use a new eventId`,
  };
}
