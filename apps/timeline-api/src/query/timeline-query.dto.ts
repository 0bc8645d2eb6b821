import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONFIRMATIONS,
  DEFAULT_CANDIDATES,
  DEFAULT_PAGE_SIZE,
  EXPORT_FORMATS,
  MAX_CANDIDATES,
  MAX_INDEPENDENT_SOURCES,
  MAX_PAGE_SIZE,
  SORT_KEYS,
  entryTypeNames,
} from './timeline-filter.js';

/*
 * OpenAPI descriptions of the query parameters. Validation itself happens in timeline-filter.ts
 * (one whitelist-based parser that collects every problem into one 400 problem+json), so these
 * classes only document; they are never trusted as parsed values.
 */

const list = (description: string, example: string) => ({
  description: `${description} Repeat the parameter or separate values with commas; an entry matches if it has any of them.`,
  type: String,
  isArray: true,
  example: [example],
});

/** Filters shared by timeline, stats, export and stream. */
export class FilterQueryDto {
  @ApiPropertyOptional({ ...list('Entry types.', 'readiness.raised'), enum: entryTypeNames() })
  type?: string[];

  @ApiPropertyOptional(
    list('Actor ids (stable slugs, e.g. `kremlin`, `us-dod`) or names in any script or spelling (`Зеленський`, `Zelensky`).', 'kremlin'),
  )
  actor?: string[];

  @ApiPropertyOptional(list('ISO 3166-1 alpha-2 countries of the actors or locations.', 'UA'))
  country?: string[];

  @ApiPropertyOptional(list('Location names or admin regions (case-insensitive, exact).', 'Kyiv'))
  location?: string[];

  @ApiPropertyOptional(list('Tags.', 'nato'))
  tag?: string[];

  @ApiPropertyOptional(list('Story ids.', 'russia-ukraine-2022'))
  story?: string[];

  @ApiPropertyOptional({
    ...list(
      '`confirmed` (independently confirmed) or `reported` (one side’s claim, not independently confirmed); both when absent.',
      'confirmed',
    ),
    enum: CONFIRMATIONS,
  })
  confirmation?: string[];

  @ApiPropertyOptional({
    description:
      'Full-text search in every language of an entry (English and Russian stemming, Ukrainian Hunspell forms; names across scripts and spellings from the alias registry; numbers with or without thousands separators), web-search syntax: `"exact phrase"`, `or`, `-exclude`. Matching entries carry a `snippet` with the matched words marked and `matchedLanguages`.',
    example: 'Peskov',
    maxLength: 200,
  })
  q?: string;

  @ApiPropertyOptional({
    description: 'Entries whose occurrence (or occurrence range) ends at or after this date or RFC 3339 timestamp.',
    example: '2022-01-24',
  })
  from?: string;

  @ApiPropertyOptional({
    description: 'Entries that started at or before this timestamp; a date (`2022-01-31`) includes that whole day.',
    example: '2022-02-24',
  })
  to?: string;

  @ApiPropertyOptional({ description: 'Include retracted entries (kept as tombstones).', type: Boolean, default: false })
  includeRetracted?: boolean;

  @ApiPropertyOptional({
    description:
      'Only entries corroborated by at least this many independent outlets (`corroboration.independentOutlets`: distinct originating outlets over the entry and its merged reports; a syndicated copy counts for its origin).',
    type: Number,
    minimum: 1,
    maximum: MAX_INDEPENDENT_SOURCES,
    example: 2,
  })
  minIndependentSources?: number;
}

/** `asOf` for the endpoints that can answer "as known at". */
export class AsOfQueryDto extends FilterQueryDto {
  @ApiPropertyOptional({
    description:
      'Answer with the timeline as it was known at this recorded time (RFC 3339 or a date = its start, UTC): corrections recorded later are not applied, entries recorded later are absent.',
    example: '2022-01-25T12:00:00Z',
  })
  asOf?: string;
}

export class TimelineQueryDto extends AsOfQueryDto {
  @ApiPropertyOptional({ description: 'Page size.', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, type: Number })
  limit?: number;

  @ApiPropertyOptional({ description: 'Chronological (`asc`) or newest first (`desc`).', enum: ['asc', 'desc'], default: 'asc' })
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({
    description:
      '`time` (the timeline order), or `corroboration`: most independent outlets first, then most reports, then in the timeline order given by `order`.',
    enum: SORT_KEYS,
    default: 'time',
  })
  sort?: string;

  @ApiPropertyOptional({
    description:
      'Opaque cursor from `page.nextCursor` of the previous page. It is signed and bound to the query: send the same filters, order and asOf with it.',
  })
  cursor?: string;
}

export class StatsQueryDto extends AsOfQueryDto {
  @ApiPropertyOptional({
    description: 'Bucket size (days and ISO weeks in each entry’s reported time zone).',
    enum: ['day', 'week'],
    default: 'day',
  })
  bucket?: 'day' | 'week';
}

export class ExportQueryDto extends AsOfQueryDto {
  @ApiPropertyOptional({
    description: '`ndjson` (one entry per line), `csv` (RFC 4180) or `timelinejs` (Knight Lab TimelineJS JSON).',
    enum: EXPORT_FORMATS,
    default: 'ndjson',
  })
  format?: string;

  @ApiPropertyOptional({ description: 'Chronological (`asc`) or newest first (`desc`).', enum: ['asc', 'desc'], default: 'asc' })
  order?: 'asc' | 'desc';
}

export class StreamQueryDto extends FilterQueryDto {
  @ApiPropertyOptional({
    description:
      'Resume token (an SSE `id:`), for clients that cannot send the `Last-Event-ID` header; the header wins when both are present.',
  })
  lastEventId?: string;
}

export class EntryQueryDto {
  @ApiPropertyOptional({ description: 'Show the entry and its history as known at this recorded time.', example: '2022-01-25T12:00:00Z' })
  asOf?: string;
}

export class CandidatesQueryDto {
  @ApiPropertyOptional({
    description: 'Most candidates returned.',
    minimum: 1,
    maximum: MAX_CANDIDATES,
    default: DEFAULT_CANDIDATES,
    type: Number,
  })
  limit?: number;

  @ApiPropertyOptional({
    description: 'Only candidates scoring at least this (0..1).',
    minimum: 0,
    maximum: 1,
    default: 0,
    type: Number,
    example: 0.5,
  })
  minScore?: number;
}
