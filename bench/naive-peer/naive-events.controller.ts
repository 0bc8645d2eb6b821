import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, type KafkaContext, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { loadConfig } from '@timeline/config';
import { eventCatalogue, type EventEnvelope } from '@timeline/events';
import { EntryVersion, EventLogEntry, TimelineEntry } from '@timeline/store';

// BENCHMARK BASELINE, NOT PRODUCT CODE: the straightforward NestJS consumer that `bench:project`
// compares the projector with. Its topic comes from the same configuration as the projector's.
const TOPIC = loadConfig().kafka.eventsTopic;
const PROJECTION = 'live';

/**
 * What a typical NestJS service would write: an `@EventPattern` handler (Kafka transport, one
 * message at a time, offsets auto-committed by kafkajs) that validates the event and makes one
 * TypeORM `save()` per event — archive row, entry row and version row in that one call (TypeORM
 * wraps it in a transaction and SELECTs each primary key first to choose INSERT or UPDATE).
 * Corrections and retractions load the entry, change it and save it with its new version.
 * No batching, no offsets in Postgres, no fencing: exactly the shortcuts the projector does not take.
 */
@Controller()
export class NaiveEventsController {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  @EventPattern(TOPIC)
  async handle(@Payload() message: unknown, @Ctx() context: unknown): Promise<void> {
    const ctx = context as KafkaContext;
    const decoded = eventCatalogue.decode(message);
    if (!decoded.ok) return; // a typical service logs and moves on
    const event = decoded.event;
    const position = { partition: ctx.getPartition(), offset: ctx.getMessage().offset };

    const log = this.ds.getRepository(EventLogEntry).create({
      eventId: event.eventId,
      storyId: event.storyId,
      type: event.type,
      schemaVersion: decoded.originalVersion,
      occurredAt: new Date(event.occurredAt),
      recordedAt: new Date(event.recordedAt),
      envelope: message as Record<string, unknown>,
      sourceTopic: TOPIC,
      sourcePartition: position.partition,
      sourceOffset: position.offset,
    });

    if (decoded.definition.meta) {
      const targetId = String((event.payload as { targetEventId: string }).targetEventId);
      const entry = await this.ds.getRepository(TimelineEntry).findOneBy({ projection: PROJECTION, entryId: targetId });
      if (!entry) {
        await this.ds.manager.save([log]);
        return;
      }
      const previous = await this.ds
        .getRepository(EntryVersion)
        .findOneBy({ projection: PROJECTION, entryId: targetId, version: entry.version });
      const retract = event.type === 'entry.retracted';
      const payload = event.payload as {
        severity?: 'substantive' | 'minor';
        note?: string;
        reason?: string;
        replaces?: { summary?: string };
      };
      entry.version += 1;
      entry.status = retract ? 'retracted' : 'corrected';
      if (payload.replaces?.summary) entry.summary = payload.replaces.summary;
      entry.updatedAt = new Date(event.recordedAt);
      entry.searchText = searchText(entry.summary, entry.actors, entry.locations, entry.tags);
      entry.sourcePartition = position.partition;
      entry.sourceOffset = position.offset;
      const version = this.version(entry, event, retract ? 'retracted' : 'corrected');
      version.correctionSeverity = retract ? null : (payload.severity ?? null);
      version.changeNote = (retract ? payload.reason : payload.note) ?? null;
      const rows: object[] = [log, entry, version];
      if (previous) {
        previous.recordedTo = new Date(event.recordedAt);
        rows.push(previous);
      }
      await this.ds.manager.save(rows);
      return;
    }

    const entry = this.ds.getRepository(TimelineEntry).create({
      projection: PROJECTION,
      entryId: event.eventId,
      storyId: event.storyId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      cameoCode: eventCatalogue.cameoCodeOf(event),
      occurredAt: new Date(event.occurredAt),
      occurredPrecision: event.occurredAtPrecision,
      occurredUntil: event.occurredUntil ? new Date(event.occurredUntil) : null,
      occurredTz: event.occurredTz ?? null,
      recordedAt: new Date(event.recordedAt),
      updatedAt: new Date(event.recordedAt),
      version: 1,
      status: 'live',
      confirmation: event.confirmation,
      summary: event.summary,
      actors: event.actors,
      locations: event.locations,
      sources: event.sources,
      payload: event.payload,
      tags: event.tags,
      actorIds: event.actors.map((a) => a.id),
      countries: [...new Set([...event.actors.flatMap((a) => (a.country ? [a.country] : [])), ...event.locations.map((l) => l.country)])],
      locationNames: event.locations.map((l) => l.name),
      searchText: searchText(event.summary, event.actors, event.locations, event.tags),
      sourcePartition: position.partition,
      sourceOffset: position.offset,
    });
    await this.ds.manager.save([log, entry, this.version(entry, event, 'created')]);
  }

  private version(entry: TimelineEntry, event: EventEnvelope, change: EntryVersion['change']): EntryVersion {
    const { schemaVersion: _s, recordedAt: _r, updatedAt, locationNames: _l, search: _x, ...state } = entry;
    return this.ds.getRepository(EntryVersion).create({
      ...state,
      eventId: event.eventId,
      change,
      correctionSeverity: null,
      changeNote: null,
      recordedFrom: updatedAt,
      recordedTo: null,
    });
  }
}

function searchText(summary: string, actors: unknown[], locations: unknown[], tags: string[]): string {
  const names = (xs: unknown[]) => xs.map((x) => String((x as { name?: string }).name ?? '')).join(' ');
  return [summary, names(actors), names(locations), tags.join(' ')].join(' ');
}
