import type { QueryRunner } from 'typeorm';
import type { Logger } from '@timeline/observability';
import { isDataException } from '../postgres-failure.js';
import type { EventPosition, PositionedEvent } from './positioned-event.js';
import type { ProjectionApplyOptions, ProjectionApplyResult, TimelineProjectionWriter } from './timeline-projection.writer.js';

/** An event PostgreSQL refused to store although the catalogue accepted it. */
export interface UnstorableEvent {
  readonly eventId: string;
  readonly position: EventPosition;
  /** `PostgreSQL refused the event: <server message>`. */
  readonly reason: string;
}

/** What {@link applyIsolatingUnstorable} did: the writer's result for what was stored, and what was refused. */
export interface IsolatedApplyResult {
  readonly result: ProjectionApplyResult;
  readonly unstorable: readonly UnstorableEvent[];
}

/**
 * The writer's bulk call under a savepoint; if PostgreSQL refuses a value (SQLSTATE class 22/54),
 * each event is applied alone under a savepoint of its own and only the refused ones are set aside.
 * The live projector dead-letters them (`EVENT.UNSTORABLE`); a rebuild skips them — the live
 * projector already dead-lettered them — so both versions end up with the same content. Any other
 * failure is thrown for the caller to classify (the transaction is then rolled back whole).
 */
export async function applyIsolatingUnstorable(
  writer: TimelineProjectionWriter,
  q: QueryRunner,
  projection: string,
  events: readonly PositionedEvent[],
  opts: ProjectionApplyOptions & { readonly logger?: Logger } = {},
): Promise<IsolatedApplyResult> {
  if (events.length === 0) return { result: emptyResult(), unstorable: [] };
  const { logger, ...applyOptions } = opts;
  await q.query('SAVEPOINT projection_batch');
  try {
    const result = await writer.apply(q, projection, events, applyOptions);
    await q.query('RELEASE SAVEPOINT projection_batch');
    return { result, unstorable: [] };
  } catch (err) {
    if (!isDataException(err)) throw err;
    await q.query('ROLLBACK TO SAVEPOINT projection_batch');
    logger?.warn({ err: String(err) }, 'Postgres refused a value in the batch; applying its events one by one');
  }
  const merged = emptyResult();
  const unstorable: UnstorableEvent[] = [];
  for (const pe of events) {
    await q.query('SAVEPOINT projection_event');
    try {
      const r = await writer.apply(q, projection, [pe], applyOptions);
      await q.query('RELEASE SAVEPOINT projection_event');
      for (const k of ['appended', 'applied', 'duplicates', 'deferred', 'resolvedPending', 'rejected', 'entryIds'] as const) {
        (merged[k] as unknown[]).push(...(r[k] as unknown[]));
      }
    } catch (err) {
      if (!isDataException(err)) throw err;
      await q.query('ROLLBACK TO SAVEPOINT projection_event');
      unstorable.push({
        eventId: pe.event.eventId,
        position: pe.position,
        reason: `PostgreSQL refused the event: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  merged.entryIds = [...new Set(merged.entryIds)];
  return { result: merged, unstorable };
}

/** A {@link ProjectionApplyResult} with nothing in it. */
export function emptyResult(): { -readonly [K in keyof ProjectionApplyResult]: ProjectionApplyResult[K] } {
  return { appended: [], applied: [], duplicates: [], deferred: [], resolvedPending: [], rejected: [], entryIds: [] };
}
