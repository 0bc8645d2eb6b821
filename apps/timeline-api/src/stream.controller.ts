import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { RateLimited, RequireRole, clientAddress } from '@timeline/http';
import type { EventStreamHead } from './http/event-stream.js';
import { StreamQueryDto } from './query/timeline-query.dto.js';
import { parseStreamQuery } from './query/timeline-filter.js';
import { LiveStreamHub } from './stream/live-stream.hub.js';
import { StreamPositionCodec } from './stream/stream-position.js';
import type { SseResponse } from './stream/stream-session.js';

type StreamResponse = SseResponse & EventStreamHead;

/** `GET /v1/stream`: Server-Sent Events of applied entries. */
@ApiTags('live')
@RequireRole('reader')
@Controller('v1')
export class StreamController {
  constructor(
    @Inject(LiveStreamHub) private readonly hub: LiveStreamHub,
    @Inject(StreamPositionCodec) private readonly positions: StreamPositionCodec,
  ) {}

  @Get('stream')
  @ApiOperation({
    summary: 'Live Server-Sent Events of entries as the projector applies them (created, corrected, retracted)',
    description:
      'Events: `ready` (data `{position}`), then `entry` (data `{change, version, severity, note, recordedAt, entry}`), each with ' +
      '`id:` = an opaque, commit-ordered resume token. Reconnect with `Last-Event-ID` (EventSource does it by itself) to ' +
      'receive exactly what was missed. Comment heartbeats every API_STREAM_HEARTBEAT_SECONDS. Same filters as the ' +
      'timeline; retractions of matching entries are always delivered so clients can remove them.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id.' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream (text/event-stream).' })
  @ApiBadRequestResponse({ description: 'A filter or the resume token is invalid (problem+json naming it).' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many concurrent streams from this client (API_STREAM_MAX_PER_CLIENT), or too many new connections per minute (RATE_LIMIT_STREAMS_PER_MINUTE); see Retry-After.',
  })
  @ApiServiceUnavailableResponse({
    description:
      'This API process already serves API_STREAM_MAX_TOTAL streams (or is shutting down): retry after Retry-After seconds, possibly on another replica.',
  })
  @RateLimited('streams')
  async stream(
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Req() req: { socket: { remoteAddress?: string } },
    @Res() res: StreamResponse,
  ): Promise<void> {
    const q = parseStreamQuery(query as Record<string, unknown>);
    // The header is what EventSource sends on reconnect; it is newer than a lastEventId in the URL.
    const [token, param] = lastEventIdHeader ? [lastEventIdHeader, 'Last-Event-ID'] : [q.lastEventId, 'lastEventId'];
    const resumeFrom = token ? this.positions.decode(token, param) : undefined;
    await this.hub.open(clientAddress(req.socket.remoteAddress), res, q.filter, resumeFrom);
  }
}
