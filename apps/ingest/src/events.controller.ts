import { Body, Controller, HttpCode, Post, Req, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CodedError, RateLimited, RequireRole, problemResponse } from '@timeline/http';
import type { PublishedEvent } from '@timeline/kafka';
import { EventIngestor } from './event-ingestor.js';
import { BATCH_INPUT_SCHEMA, EVENT_INPUT_SCHEMA, PUBLISHED_BATCH_SCHEMA, PUBLISHED_EVENT_SCHEMA } from './ingest-openapi.js';

const problem = problemResponse;
const ERROR_RESPONSES = [
  { status: 400, ...problem('The body is not valid JSON (REQUEST.MALFORMED).') },
  { status: 401, ...problem('No API key, or an unknown one.') },
  { status: 403, ...problem('The key lacks the editor role.') },
  { status: 413, ...problem('The body is larger than the limit, or Kafka refused the batch for its size: send fewer events.') },
  { status: 415, ...problem('The body is not application/json.') },
  { status: 422, ...problem('An event is invalid; errors[] names every bad field. Nothing was published.') },
  {
    status: 429,
    ...problem('Too many write requests from this API key (RATE_LIMIT_WRITES_PER_MINUTE); retry after Retry-After seconds.'),
  },
  {
    status: 503,
    ...problem('Kafka did not acknowledge; retry after Retry-After seconds with the same eventIds (eventIds[] lists them).'),
  },
] as const;

/** Documents every problem+json answer both write endpoints can give. */
const ApiIngestErrors = () => applyDecorators(...ERROR_RESPONSES.map((r) => ApiResponse(r)));

/** A request whose body the JSON parser did not read (another content type) has no body at all. */
interface MaybeParsedRequest {
  body?: unknown;
}

/** `POST /v1/events` and `POST /v1/events/batch`: validated events into Kafka; 202 only after Kafka acknowledged. */
@ApiTags('events')
@RequireRole('editor')
@RateLimited('writes')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly ingestor: EventIngestor) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Publish one event',
    description:
      'Validates the event against the catalogue (GET /v1/schemas), generates eventId when absent, defaults schemaVersion to the current version and stamps recordedAt (a client-sent recordedAt is refused: it is server-owned). Answers 202 once Kafka acknowledged. Sending the same eventId again is accepted; the timeline keeps it once.',
  })
  @ApiBody({ schema: EVENT_INPUT_SCHEMA })
  @ApiResponse({ status: 202, description: 'Kafka acknowledged the event.', schema: PUBLISHED_EVENT_SCHEMA })
  @ApiIngestErrors()
  async publishOne(@Body() body: unknown, @Req() req: MaybeParsedRequest): Promise<PublishedEvent> {
    requireJson(req);
    return this.ingestor.ingestOne(body);
  }

  @Post('batch')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Publish up to 1,000 events at once',
    description:
      'All-or-nothing for validation: if any event is invalid, nothing is published and errors[] names every bad field under /events/<index>/… (or /<index>/… for a bare array). The events go to Kafka in one send.',
  })
  @ApiBody({ schema: BATCH_INPUT_SCHEMA })
  @ApiResponse({ status: 202, description: 'Kafka acknowledged every event.', schema: PUBLISHED_BATCH_SCHEMA })
  @ApiIngestErrors()
  async publishBatch(@Body() body: unknown, @Req() req: MaybeParsedRequest): Promise<{ accepted: number; events: PublishedEvent[] }> {
    requireJson(req);
    const events = await this.ingestor.ingestBatch(body);
    return { accepted: events.length, events };
  }
}

function requireJson(req: MaybeParsedRequest): void {
  if (req.body === undefined) {
    throw new CodedError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the events as JSON with Content-Type: application/json.');
  }
}
