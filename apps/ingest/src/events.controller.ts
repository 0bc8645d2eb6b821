import { Body, Controller, HttpCode, Post, Req, applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CLOUDEVENT_BATCH_MEDIA_TYPE, CLOUDEVENT_MEDIA_TYPE } from '@timeline/events';
import { CodedError, RateLimited, RequireRole, problemResponse } from '@timeline/http';
import type { PublishedEvent } from '@timeline/kafka';
import { EventIngestor, type IngestFormat } from './event-ingestor.js';
import {
  BATCH_INPUT_SCHEMA,
  CLOUDEVENT_BATCH_INPUT_SCHEMA,
  CLOUDEVENT_INPUT_SCHEMA,
  EVENT_INPUT_SCHEMA,
  PUBLISHED_BATCH_SCHEMA,
  PUBLISHED_EVENT_SCHEMA,
} from './ingest-openapi.js';

const problem = problemResponse;
const ERROR_RESPONSES = [
  { status: 400, ...problem('The body is not valid JSON (REQUEST.MALFORMED).') },
  { status: 401, ...problem('No API key, or an unknown one.') },
  { status: 403, ...problem('The key lacks the editor role.') },
  { status: 413, ...problem('The body is larger than the limit, or Kafka refused the batch for its size: send fewer events.') },
  { status: 415, ...problem('The body is not JSON of a media type this endpoint takes (see requestBody).') },
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
  headers: Record<string, string | string[] | undefined>;
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
      'Validates the event against the catalogue (GET /v1/schemas), generates eventId when absent, defaults schemaVersion to the current version and stamps recordedAt (a client-sent recordedAt is refused: it is server-owned). Answers 202 once Kafka acknowledged. Sending the same eventId again is accepted; the timeline keeps it once. ' +
      'Also takes one structured-mode CloudEvent (application/cloudevents+json; mapping in docs/events.md).',
    requestBody: {
      required: true,
      content: { 'application/json': { schema: EVENT_INPUT_SCHEMA }, [CLOUDEVENT_MEDIA_TYPE]: { schema: CLOUDEVENT_INPUT_SCHEMA } },
    },
  })
  @ApiResponse({ status: 202, description: 'Kafka acknowledged the event.', schema: PUBLISHED_EVENT_SCHEMA })
  @ApiIngestErrors()
  async publishOne(@Body() body: unknown, @Req() req: MaybeParsedRequest): Promise<PublishedEvent> {
    return this.ingestor.ingestOne(body, formatOf(req, CLOUDEVENT_MEDIA_TYPE));
  }

  @Post('batch')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Publish up to 1,000 events at once',
    description:
      'All-or-nothing for validation: if any event is invalid, nothing is published and errors[] names every bad field under /events/<index>/… (or /<index>/… for a bare array). The events go to Kafka in one send. ' +
      'Also takes a JSON array of structured-mode CloudEvents (application/cloudevents-batch+json).',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: BATCH_INPUT_SCHEMA },
        [CLOUDEVENT_BATCH_MEDIA_TYPE]: { schema: CLOUDEVENT_BATCH_INPUT_SCHEMA },
      },
    },
  })
  @ApiResponse({ status: 202, description: 'Kafka acknowledged every event.', schema: PUBLISHED_BATCH_SCHEMA })
  @ApiIngestErrors()
  async publishBatch(@Body() body: unknown, @Req() req: MaybeParsedRequest): Promise<{ accepted: number; events: PublishedEvent[] }> {
    const events = await this.ingestor.ingestBatch(body, formatOf(req, CLOUDEVENT_BATCH_MEDIA_TYPE));
    return { accepted: events.length, events };
  }
}

/**
 * How to read the body, from its media type: this endpoint's CloudEvents type (`cloudEvents`), or
 * envelopes for any other JSON type the body reader took (application/json). The other CloudEvents
 * type, or a body that is not JSON, is a 415.
 */
function formatOf(req: MaybeParsedRequest, cloudEvents: string): IngestFormat {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (req.body !== undefined && type === cloudEvents) return 'cloudevent';
  if (req.body !== undefined && !type.startsWith('application/cloudevents')) return 'envelope';
  const other = cloudEvents === CLOUDEVENT_MEDIA_TYPE ? 'POST /v1/events/batch' : 'POST /v1/events';
  throw new CodedError(
    'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    `Send the events as JSON with Content-Type: application/json, or as ${cloudEvents}` +
      (type.startsWith('application/cloudevents') ? ` (${type} is for ${other}).` : '.'),
  );
}
