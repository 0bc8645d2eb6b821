import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * OpenAPI shapes of the responses (documentation; the values are built by entry-view.ts).
 */

export class DatePartsDto {
  @ApiProperty() year!: number;
  @ApiProperty({ minimum: 1, maximum: 12 }) month!: number;
  @ApiProperty({ minimum: 1, maximum: 31 }) day!: number;
  @ApiPropertyOptional({ description: 'Present only for hour precision or finer.' }) hour?: number;
  @ApiPropertyOptional({ description: 'Present only for minute precision or finer.' }) minute?: number;
  @ApiPropertyOptional({ description: 'Present only for second precision.' }) second?: number;
}

const CHANGES = ['corrected', 'retracted', 'merged', 'split', 'related'];

export class ChangeNoticeDto {
  @ApiProperty() version!: number;
  @ApiProperty({ enum: ['corrected', 'retracted'] }) change!: string;
  @ApiProperty({ enum: ['substantive', 'minor'], nullable: true, type: String }) severity!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The public correction or retraction note.' }) note!: string | null;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class SnippetSegmentDto {
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'True for the words the search matched.' }) match!: boolean;
}

export class ActorDto {
  @ApiProperty({ example: 'ru-mod' }) id!: string;
  @ApiProperty({ example: 'Russian Ministry of Defence' }) name!: string;
  @ApiPropertyOptional({ example: 'RU', description: 'ISO 3166-1 alpha-2' }) country?: string;
  @ApiProperty({ enum: ['subject', 'target', 'spokesperson', 'reporter'] }) role!: string;
}

export class LocationDto {
  @ApiProperty({ example: 'Yelnya' }) name!: string;
  @ApiProperty({ example: 'RU', description: 'ISO 3166-1 alpha-2' }) country!: string;
  @ApiPropertyOptional({ example: 'Smolensk Oblast' }) admin1?: string;
  @ApiPropertyOptional({ minimum: -90, maximum: 90 }) lat?: number;
  @ApiPropertyOptional({ minimum: -180, maximum: 180 }) lon?: number;
  @ApiPropertyOptional({ enum: [1, 2, 3], description: 'As ACLED: 1 town, 2 part of a region / near a town, 3 larger region.' })
  geoPrecision?: 1 | 2 | 3;
}

export class SourceDto {
  @ApiProperty({ enum: ['primary', 'quoted', 'reporting'] }) role!: string;
  @ApiProperty({ example: 'Reuters' }) outlet!: string;
  @ApiProperty({ format: 'uri' }) url!: string;
  @ApiPropertyOptional() title?: string;
  @ApiPropertyOptional() quotedPerson?: string;
  @ApiPropertyOptional({ format: 'date-time' }) publishedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) firstSeenAt?: string;
  @ApiPropertyOptional({ example: 'uk', description: 'BCP 47 language the source publishes in.' }) language?: string;
  @ApiPropertyOptional({ example: 'AFP', description: 'The outlet a syndicated copy originated at.' }) originOutlet?: string;
  @ApiPropertyOptional({ example: 'National Post', description: 'The republisher the copy was seen through.' }) via?: string;
  @ApiPropertyOptional({
    enum: ['primary', 'party', 'media'],
    description: 'primary (the actor itself), party (a party to the conflict or its state media), media.',
  })
  outletKind?: string;
}

export class CorroborationRolesDto {
  @ApiProperty({ description: 'Independent outlets that are the actor’s own channel.' }) primary!: number;
  @ApiProperty({ description: 'Independent outlets of a party to the conflict (or its state media).' }) party!: number;
  @ApiProperty({ description: 'Independent press outlets.' }) media!: number;
}

export class CorroborationDto {
  @ApiProperty({ example: 3, description: 'Reports behind the entry: 1 + the entries merged into it.' }) reports!: number;
  @ApiProperty({
    example: 2,
    description: 'Distinct originating outlets over every source of every report (a syndicated copy counts for its origin).',
  })
  independentOutlets!: number;
  @ApiProperty({ type: [String], example: ['AFP', 'Reuters'] }) outlets!: string[];
  @ApiProperty({ type: CorroborationRolesDto }) roles!: CorroborationRolesDto;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Earliest publication or recording of a report.' })
  firstReportedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Latest publication or recording of a report.' })
  lastConfirmedAt!: string | null;
}

export class RelationDto {
  @ApiProperty({ format: 'uuid', description: 'The other entry (may not be known yet: then summary is null).' }) entryId!: string;
  @ApiProperty({ enum: ['denies', 'contradicts', 'confirms', 'respondsTo'] }) relation!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The other entry’s summary.' }) summary!: string | null;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Incoming only: the link names this merged report of the survivor rather than the survivor itself.',
  })
  viaReport?: string;
}

export class RelationsDto {
  @ApiProperty({ type: [RelationDto], description: 'This entry denies / contradicts / confirms / responds to …' }) outgoing!: RelationDto[];
  @ApiPropertyOptional({ type: [RelationDto], description: 'Only on /v1/entries/:id: entries that relate to this one.' })
  incoming?: RelationDto[];
}

export class ReportDto {
  @ApiProperty({ format: 'uuid' }) entryId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: [SourceDto] }) sources!: SourceDto[];
}

export class TranslationDto {
  @ApiProperty({ example: 'en', description: 'BCP 47 language tag.' }) lang!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ example: 'editor', description: '`editor` or `machine:<engine>` (e.g. `machine:deepl`).' }) by!: string;
  @ApiProperty({ format: 'date-time', description: 'When the translation was made.' }) at!: string;
  @ApiPropertyOptional({ type: [SnippetSegmentDto], description: 'Only with `q`: the translation split at the matched words.' })
  snippet?: SnippetSegmentDto[];
}

export class EntryDto {
  @ApiProperty({ format: 'uuid', description: 'The eventId of the event that created the entry.' }) id!: string;
  @ApiProperty() storyId!: string;
  @ApiProperty({ example: 'readiness.raised' }) type!: string;
  @ApiProperty({ example: 'Readiness raised' }) typeTitle!: string;
  @ApiProperty({ nullable: true, type: String, description: 'CAMEO v0.7b5 code' }) cameoCode!: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ enum: ['day', 'hour', 'minute', 'second'] }) occurredAtPrecision!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'End of a "week of …" range.' }) occurredUntil!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'IANA zone the date was reported in.' }) occurredTz!: string | null;
  @ApiProperty({ example: '24 January 2022', description: 'Human date, only as precise as reported (never a fake time of day).' })
  displayDate!: string;
  @ApiProperty({ example: '2022-01-24', description: 'Calendar day in the reported zone.' }) day!: string;
  @ApiProperty({ type: DatePartsDto }) date!: DatePartsDto;
  @ApiProperty({ format: 'date-time', description: 'When the system first learned of the entry.' }) recordedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the current version was recorded.' }) updatedAt!: string;
  @ApiProperty() version!: number;
  @ApiProperty({
    enum: ['live', 'corrected', 'retracted'],
    description: 'A merged entry keeps its status; `mergedInto` says it was merged.',
  })
  status!: string;
  @ApiProperty({ enum: ['confirmed', 'reported'] }) confirmation!: string;
  @ApiProperty({ description: 'In its original language (`language`).' }) summary!: string;
  @ApiProperty({ example: 'uk', description: 'BCP 47 language of summary.' }) language!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'machine:franc-min@6.2.0',
    description: 'Set when the language was detected, not stated by the producer: the detector.',
  })
  languageDetectedBy!: string | null;
  @ApiProperty({ type: [TranslationDto], description: 'The summary in other languages, each marked with who made it.' })
  translations!: TranslationDto[];
  @ApiProperty({ type: [ActorDto] }) actors!: ActorDto[];
  @ApiProperty({ type: [LocationDto] }) locations!: LocationDto[];
  @ApiProperty({ type: [SourceDto] }) sources!: SourceDto[];
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) payload!: Record<string, unknown>;
  @ApiProperty({ type: [ChangeNoticeDto] }) corrections!: ChangeNoticeDto[];
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Set when an entry.merged made this entry a report of that survivor: it then leaves the lists but stays readable here.',
  })
  mergedInto!: string | null;
  @ApiProperty({ type: [String], description: 'Entries merged into this one.' }) mergedIds!: string[];
  @ApiProperty({ type: [ReportDto], description: 'The merged reports, as they stood when merged.' }) reports!: ReportDto[];
  @ApiProperty({ type: CorroborationDto }) corroboration!: CorroborationDto;
  @ApiProperty({ description: 'An unretracted entry denies or contradicts this one.' }) disputed!: boolean;
  @ApiProperty({ type: RelationsDto }) relations!: RelationsDto;
  @ApiPropertyOptional({ type: [SnippetSegmentDto], description: 'Only with `q`: the summary split at the matched words.' })
  snippet?: SnippetSegmentDto[];
  @ApiPropertyOptional({
    type: [String],
    example: ['uk'],
    description:
      'Only with `q`: the languages (primary subtags) of the entry whose text matched; empty when only a name (actor, place, tag) did.',
  })
  matchedLanguages?: string[];
  @ApiPropertyOptional({
    description:
      'Only when a stored value could not be rendered (displayDate then says "date cannot be shown"); the raw fields are still given.',
  })
  renderProblem?: string;
}

export class PageInfoDto {
  @ApiProperty() limit!: number;
  @ApiProperty({ enum: ['asc', 'desc'] }) order!: string;
  @ApiProperty({ enum: ['time', 'corroboration'] }) sort!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page.',
  })
  nextCursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}

export class TimelinePageDto {
  @ApiProperty({ type: [EntryDto] }) data!: EntryDto[];
  @ApiProperty({ type: PageInfoDto }) page!: PageInfoDto;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) asOf!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Stream position of this snapshot (null with asOf): open `/v1/stream?lastEventId=…` with it to receive exactly the changes after this page was read.',
  })
  streamPosition!: string | null;
}

export class VersionDto {
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ enum: ['created', ...CHANGES] }) change!: string;
  @ApiProperty({ enum: ['substantive', 'minor'], nullable: true, type: String }) severity!: string | null;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ format: 'date-time', description: 'Valid in recorded time from …' }) recordedFrom!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: '… until (null: still current).' }) recordedTo!:
    string | null;
  @ApiProperty({ type: EntryDto, description: 'The entry as this version stated it.' }) entry!: EntryDto;
}

export class EntryDetailDto {
  @ApiProperty({ type: EntryDto }) entry!: EntryDto;
  @ApiProperty({ type: [VersionDto], description: 'Every version, oldest first (corrections and retractions stay visible).' })
  history!: VersionDto[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) asOf!: string | null;
}

export class StatsBucketDto {
  @ApiProperty({ example: '2022-01-24', description: 'First day of the bucket (a Monday for weeks).' }) start!: string;
  @ApiProperty() total!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { 'readiness.raised': 2 } })
  byType!: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { 'us-dod': 1 } })
  byActor!: Record<string, number>;
}

export class StatsActorDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() count!: number;
}

export class StatsDto {
  @ApiProperty({ enum: ['day', 'week'] }) bucket!: string;
  @ApiProperty({ type: [StatsBucketDto] }) buckets!: StatsBucketDto[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) totalsByType!: Record<string, number>;
  @ApiProperty({ type: [StatsActorDto], description: 'Actors by number of entries, most first.' }) actors!: StatsActorDto[];
  @ApiProperty() total!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) asOf!: string | null;
}

export class ScoreReasonDto {
  @ApiProperty({
    enum: ['sameType', 'compatibleType', 'occurredWithinPrecision', 'occurredNearby', 'sharedActors', 'sharedPlaces', 'similarText'],
  })
  kind!: string;
  @ApiProperty({ description: 'What this reason added to the score (0..1).' }) weight!: number;
  @ApiProperty({ example: 'kremlin, us-dod' }) detail!: string;
}

export class CandidateEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() storyId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ enum: ['day', 'hour', 'minute', 'second'] }) occurredAtPrecision!: string;
  @ApiProperty({ example: '24 January 2022' }) displayDate!: string;
}

export class CandidateDto {
  @ApiProperty({ type: CandidateEntryDto }) entry!: CandidateEntryDto;
  @ApiProperty({ minimum: 0, maximum: 1 }) score!: number;
  @ApiProperty({ type: [ScoreReasonDto] }) reasons!: ScoreReasonDto[];
}

export class EntryCandidatesDto {
  @ApiProperty({ format: 'uuid' }) entryId!: string;
  @ApiProperty({ type: [CandidateDto], description: 'Best first.' }) data!: CandidateDto[];
}

export class CandidatePairDto {
  @ApiProperty({ type: CandidateEntryDto }) a!: CandidateEntryDto;
  @ApiProperty({ type: CandidateEntryDto }) b!: CandidateEntryDto;
  @ApiProperty({ minimum: 0, maximum: 1 }) score!: number;
  @ApiProperty({ type: [ScoreReasonDto] }) reasons!: ScoreReasonDto[];
}

export class StoryCandidatesDto {
  @ApiProperty() storyId!: string;
  @ApiProperty({ type: [CandidatePairDto], description: 'Best first.' }) data!: CandidatePairDto[];
}
