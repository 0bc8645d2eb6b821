import { Controller, Get, Inject, Query, Req, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { eventCatalogue } from '@timeline/events';
import { RateLimited, RequireRole, clientAddress } from '@timeline/http';
import { LOGGER, type Logger } from '@timeline/observability';
import { EventLogReplay, parseReplayWindow } from '@timeline/store';
import { startEventStream, StreamAdmission, type EventStreamHead } from '../http/event-stream.js';
import { QueryReader } from '../query/query-reader.js';
import type { SseResponse } from '../stream/stream-session.js';
import { ReplayStream } from './replay-stream.js';

const DEFAULT_SPEED = 3600;
const MAX_SPEED = 100_000_000;
const DEFAULT_MAX_GAP_S = 5;
const SLUG = /^[a-z0-9][a-z0-9._-]{0,79}$/;

/** Query parameters of `GET /v1/replay` (documentation; parsed by hand with every problem named). */
export class ReplayQueryDto {
  @ApiPropertyOptional({
    description: 'Start of the window (occurredAt, inclusive): a date or an RFC 3339 timestamp. Required.',
    example: '2022-01-24',
  })
  from?: string;

  @ApiPropertyOptional({
    description: 'End of the window (inclusive; a date covers that whole day, UTC). Required.',
    example: '2022-01-24',
  })
  to?: string;

  @ApiPropertyOptional({ description: 'Speed factor: seconds of the past per real second.', default: DEFAULT_SPEED, example: 3600 })
  speed?: number;

  @ApiPropertyOptional({
    description: 'Longest pause between two events, in seconds; longer real gaps are shortened to it.',
    default: DEFAULT_MAX_GAP_S,
  })
  maxGap?: number;

  @ApiPropertyOptional({ description: 'Only what had been recorded at this time (recordedAt <= asOf): "what did we know then".' })
  asOf?: string;

  @ApiPropertyOptional({ description: 'Event types (repeat or comma-separate).', type: String, isArray: true })
  type?: string[];

  @ApiPropertyOptional({ description: 'Actor ids (repeat or comma-separate).', type: String, isArray: true })
  actor?: string[];

  @ApiPropertyOptional({
    description: 'ISO 3166-1 alpha-2 countries of the actors or locations (repeat or comma-separate), as the timeline’s `country`.',
    type: String,
    isArray: true,
  })
  country?: string[];
}

type ReplayResponse = SseResponse & EventStreamHead;

/** `GET /v1/replay`: the past as Server-Sent Events, at a chosen speed, from the event archive. */
@ApiTags('replay')
@RequireRole('reader')
@Controller('v1')
export class ReplayController implements BeforeApplicationShutdown {
  private readonly admission: StreamAdmission;
  private readonly streams = new Set<ReplayStream>();
  private readonly replay: EventLogReplay;

  constructor(
    @Inject(DataSource) ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.replay = new EventLogReplay(ds);
    this.admission = new StreamAdmission(config.api.streamMaxPerClient, 'replays');
  }

  /** Open replays end with the process (the HTTP server would wait for their connections otherwise). */
  beforeApplicationShutdown(): void {
    this.admission.close();
    for (const s of this.streams) s.close();
  }

  @Get('replay')
  @ApiOperation({
    summary: 'Re-live a window of the crisis: its events as Server-Sent Events in occurredAt order, paced by a speed factor',
    description:
      'Events: `ready` (the window and pacing), then one `replay` per event (data `{event, index, delayMs, gapShortened, displayDate}`, ' +
      '`event` upcast to the current schema version, `displayDate` worded as the timeline words an entry’s date: its own zone ' +
      'and precision), then `end` (`{count, undecodable}`) — close the EventSource on `end`, or ' +
      'it reconnects and starts over. The pause before each event is the real gap between the two occurredAt times divided by ' +
      '`speed`, capped at `maxGap` seconds (quiet weeks would otherwise stall the stream). With `asOf`, only events recorded by ' +
      'then: what was known at that moment, reproducibly. Comment heartbeats during long pauses.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream (text/event-stream).' })
  @ApiBadRequestResponse({ description: 'A parameter is missing or invalid (problem+json naming it).' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many concurrent replays from this client (API_STREAM_MAX_PER_CLIENT), or too many new stream connections per minute (RATE_LIMIT_STREAMS_PER_MINUTE).',
  })
  @RateLimited('streams')
  async stream(
    @Query() raw: ReplayQueryDto,
    @Req() req: { socket: { remoteAddress?: string } },
    @Res() res: ReplayResponse,
  ): Promise<void> {
    const r = new QueryReader(raw as Record<string, unknown>, ['from', 'to', 'speed', 'maxGap', 'asOf', 'type', 'actor', 'country']);
    const from = r.single('from', 40);
    const to = r.single('to', 40);
    const asOf = r.single('asOf', 40);
    if (from === undefined) r.fail('from', 'is required (a replay needs a window)');
    if (to === undefined) r.fail('to', 'is required (a replay needs a window)');
    const speedText = r.single('speed', 20);
    const speed = speedText === undefined ? DEFAULT_SPEED : Number(speedText);
    if (!/^\d+(\.\d+)?$/.test(speedText ?? '1') || !(speed > 0) || speed > MAX_SPEED)
      r.fail('speed', `must be a number above 0 and at most ${MAX_SPEED}`);
    const maxGap = r.int('maxGap', DEFAULT_MAX_GAP_S, 0, 3600);
    const known = eventCatalogue.definitions().map((d) => d.type);
    const types = r.list('type', (v) => (known.includes(v) ? undefined : `has unknown type "${v}"; known types: ${known.join(', ')}`), 80);
    const actors = r.list('actor', (v) => (SLUG.test(v) ? undefined : `must be actor ids (lower-case slugs), got "${v}"`), 80);
    const countries = r
      .list('country', (v) => (/^[A-Za-z]{2}$/.test(v) ? undefined : `must be ISO 3166-1 alpha-2 codes (UA, RU), got "${v}"`), 2)
      .map((c) => c.toUpperCase());
    const window = parseReplayWindow({ from, to, asOf });
    if ('problems' in window) for (const p of window.problems) r.fail(p.path, p.message);
    r.done();
    if ('problems' in window) return;

    const release = this.admission.admit(clientAddress(req.socket.remoteAddress));
    try {
      startEventStream(res);
      const query = { ...window.window, types, actors, order: 'chronological' as const, pageSize: 200 };
      const stream = new ReplayStream(
        res,
        this.replay,
        query,
        { speed, maxGapMs: maxGap * 1000, heartbeatMs: this.config.api.streamHeartbeatMs },
        this.logger,
        new Set(countries),
      );
      this.streams.add(stream);
      try {
        await stream.run({ ...window.window, speed, maxGapSeconds: maxGap, types, actors, countries });
      } finally {
        this.streams.delete(stream);
      }
    } finally {
      release();
    }
  }
}
