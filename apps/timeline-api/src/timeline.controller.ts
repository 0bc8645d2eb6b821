import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { eventCatalogue } from '@timeline/events';
import { RequireRole } from '@timeline/http';
import { sendJsonWithEtag, type JsonRequest, type JsonResponse } from './http/conditional-get.js';
import { EntryCandidatesDto, EntryDetailDto, StatsDto, StoryCandidatesDto, TimelinePageDto } from './presentation/timeline-response.dto.js';
import { CandidatesQueryDto, EntryQueryDto, StatsQueryDto, TimelineQueryDto } from './query/timeline-query.dto.js';
import { QueryReader } from './query/query-reader.js';
import { TimelineQueryService } from './timeline-query.service.js';

const BAD_QUERY = 'A query parameter is invalid (problem+json; `errors[].path` names the parameter).';

/** The read API: the chronological timeline, single entries with their history, stats and the catalogue. */
@ApiTags('timeline')
@RequireRole('reader')
@ApiUnauthorizedResponse({ description: 'Only when READ_ACCESS=key: a reader key is missing or invalid.' })
@Controller('v1')
export class TimelineController {
  constructor(@Inject(TimelineQueryService) private readonly timeline: TimelineQueryService) {}

  @Get('timeline')
  @ApiOperation({
    summary: 'The timeline, chronologically (occurredAt, then recordedAt, then id), one keyset page at a time',
    description:
      'Filters combine with AND; values within one filter with OR. Supports `If-None-Match` (304 when unchanged). ' +
      'With `asOf`, the timeline as it was known at that recorded time.',
  })
  @ApiOkResponse({ type: TimelinePageDto })
  @ApiBadRequestResponse({ description: BAD_QUERY })
  async list(@Query() query: TimelineQueryDto, @Req() req: JsonRequest, @Res() res: JsonResponse): Promise<void> {
    sendJsonWithEtag(req, res, await this.timeline.timeline(query as Record<string, unknown>));
  }

  @Get('entries/:id')
  @ApiOperation({ summary: 'One entry with its sources and full version history (corrections and retractions included)' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Entry id (the eventId that created it)' })
  @ApiOkResponse({ type: EntryDetailDto })
  @ApiBadRequestResponse({ description: BAD_QUERY })
  @ApiNotFoundResponse({ description: 'No such entry (or none known at asOf).' })
  async entry(@Param('id') id: string, @Query() query: EntryQueryDto, @Req() req: JsonRequest, @Res() res: JsonResponse): Promise<void> {
    sendJsonWithEtag(req, res, await this.timeline.entry(id, query as Record<string, unknown>));
  }

  @Get('entries/:id/candidates')
  @ApiOperation({
    summary: 'Likely duplicates of one entry (reports of the same event), best first — a proposal: nothing merges by itself',
    description:
      'Entries of the same story that are neither merged nor retracted, scored 0..1 from: same or compatible type, occurrence within the precision window (a day-precision date allows for time zones), shared actor ids and places, and the trigram similarity of the summaries (`pg_trgm`). Merge with an `entry.merged` event through ingest.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Entry id' })
  @ApiOkResponse({ type: EntryCandidatesDto })
  @ApiBadRequestResponse({ description: BAD_QUERY })
  @ApiNotFoundResponse({ description: 'No such entry.' })
  async entryCandidates(
    @Param('id') id: string,
    @Query() query: CandidatesQueryDto,
    @Req() req: JsonRequest,
    @Res() res: JsonResponse,
  ): Promise<void> {
    sendJsonWithEtag(req, res, await this.timeline.entryCandidates(id, query as Record<string, unknown>));
  }

  @Get('stories/:storyId/candidates')
  @ApiOperation({ summary: 'Likely duplicate pairs across one story, best first (same scoring as an entry’s candidates)' })
  @ApiParam({ name: 'storyId', description: 'Story id (slug)', example: 'russia-ukraine-2022' })
  @ApiOkResponse({ type: StoryCandidatesDto })
  @ApiBadRequestResponse({ description: BAD_QUERY })
  async storyCandidates(
    @Param('storyId') storyId: string,
    @Query() query: CandidatesQueryDto,
    @Req() req: JsonRequest,
    @Res() res: JsonResponse,
  ): Promise<void> {
    sendJsonWithEtag(req, res, await this.timeline.storyCandidates(storyId, query as Record<string, unknown>));
  }

  @Get('stats')
  @ApiOperation({ summary: 'Entry counts per day or week, per type and per actor (same filters as the timeline)' })
  @ApiOkResponse({ type: StatsDto })
  @ApiBadRequestResponse({ description: BAD_QUERY })
  async stats(@Query() query: StatsQueryDto, @Req() req: JsonRequest, @Res() res: JsonResponse): Promise<void> {
    sendJsonWithEtag(req, res, await this.timeline.stats(query as Record<string, unknown>));
  }

  @Get('schemas')
  @ApiOperation({ summary: 'The event catalogue as JSON Schema: the envelope and every version of every type' })
  @ApiOkResponse({ description: '`{ $id, envelope, types: { <type>: { current, cameo, title, description, meta, versions } } }`' })
  schemas(@Query() query: Record<string, unknown>, @Req() req: JsonRequest, @Res() res: JsonResponse): void {
    new QueryReader(query, []).done();
    sendJsonWithEtag(req, res, eventCatalogue.jsonSchemas());
  }
}
