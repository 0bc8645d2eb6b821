import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '@timeline/http';
import type { Logger } from '@timeline/observability';
import { LOGGER } from '@timeline/observability';
import { csvHeader, csvRow } from './export/csv-format.js';
import { timelineJsHead, timelineJsSlide } from './export/timelinejs-format.js';
import { entryView, type EntryView } from './presentation/entry-view.js';
import { ExportQueryDto } from './query/timeline-query.dto.js';
import { parseExportQuery, type ExportFormat, type TimelineFilter } from './query/timeline-filter.js';
import { TimelineReader } from './read-model/timeline-reader.js';
import { Clock } from './clock.js';

/** The slice of Express's response a streaming export needs. */
interface StreamingResponse {
  setHeader(name: string, value: string): unknown;
  status(code: number): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  destroy(err?: Error): unknown;
  once(event: 'drain' | 'close', cb: () => void): unknown;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  timelinejs: 'application/json; charset=utf-8',
};
const EXTENSIONS: Record<ExportFormat, string> = { ndjson: 'ndjson', csv: 'csv', timelinejs: 'json' };

/** Streams the filtered timeline as NDJSON, CSV or TimelineJS JSON, page by page in flat memory. */
@ApiTags('timeline')
@RequireRole('reader')
@Controller('v1')
export class ExportController {
  constructor(
    @Inject(TimelineReader) private readonly reader: TimelineReader,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Get('export')
  @ApiOperation({
    summary: 'The filtered timeline as a download: NDJSON, CSV or TimelineJS JSON',
    description:
      'Streams every matching entry in timeline order. `timelinejs` is the JSON Knight Lab TimelineJS loads directly ' +
      '(dates only as precise as reported, `unique_id` = entry id, `end_date` for ranges). If the server fails mid-stream ' +
      'the connection is aborted, so a truncated file never looks complete.',
  })
  @ApiProduces('application/x-ndjson', 'text/csv', 'application/json')
  @ApiOkResponse({ description: 'The export, as an attachment.' })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid (problem+json naming it).' })
  async export(@Query() query: ExportQueryDto, @Res() res: StreamingResponse): Promise<void> {
    const q = parseExportQuery(query as Record<string, unknown>);
    const pages = this.reader.scan(q.filter, q.order);
    // Read the first page before committing to a 200, so an unavailable read model is still a 503.
    const first = await pages.next();
    const stamp = this.clock.now().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    res.setHeader('Content-Type', CONTENT_TYPES[q.format]);
    res.setHeader('Content-Disposition', `attachment; filename="${exportFilename(q.filter, stamp, EXTENSIONS[q.format])}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200);
    let count = 0;
    try {
      await this.write(res, this.prologue(q.format, q.filter));
      let pending = first;
      while (!pending.done) {
        for (const row of pending.value.rows) {
          if (res.destroyed) return;
          await this.write(res, this.record(q.format, entryView(row, pending.value.notices), count++));
        }
        pending = await pages.next();
      }
      await this.write(res, this.epilogue(q.format));
      res.end();
    } catch (err) {
      // Headers are gone: abort the chunked body so the client sees a failed download, not a short file.
      this.logger.error({ err, format: q.format, written: count }, 'export failed mid-stream');
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    } finally {
      await pages.return(undefined);
    }
  }

  private prologue(format: ExportFormat, filter: TimelineFilter): string {
    if (format === 'csv') return csvHeader();
    if (format === 'timelinejs') {
      const scope = filter.asOf ? `as known at ${filter.asOf.iso}` : `as of ${this.clock.now().toISOString()}`;
      return `${timelineJsHead('Crisis timeline', `Exported from the crisis timeline service, ${scope}.`)},"events":[`;
    }
    return '';
  }

  private record(format: ExportFormat, e: EntryView, index: number): string {
    if (format === 'csv') return csvRow(e);
    if (format === 'timelinejs') return `${index > 0 ? ',' : ''}${JSON.stringify(timelineJsSlide(e))}`;
    return `${JSON.stringify(e)}\n`;
  }

  private epilogue(format: ExportFormat): string {
    return format === 'timelinejs' ? ']}' : '';
  }

  /** Writes with backpressure: waits for `drain` instead of buffering a whole export in memory. */
  private async write(res: StreamingResponse, chunk: string): Promise<void> {
    if (chunk === '' || res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  }
}

/**
 * A download name that says what was exported (issue 15: every file was `timeline-<time>`), e.g.
 * `timeline-readiness.raised-us-dod-UA-2022-01-24_2022-02-01-asof-20220125T000000-20261201-101010.csv`:
 * types, actors, countries, stories, tags, places, the search words and the date window, cut to a
 * length every file system takes, in characters safe in a header and a file name.
 */
export function exportFilename(f: TimelineFilter, stamp: string, extension: string): string {
  const day = (iso: string) => iso.slice(0, 10);
  const parts = [
    ...f.types,
    ...f.actors,
    ...f.countries,
    ...f.stories,
    ...f.confirmation,
    ...f.tags,
    ...f.locations,
    ...(f.q ? [f.q] : []),
    ...(f.from || f.to ? [`${f.from ? day(f.from.iso) : ''}_${f.to ? day(f.to.iso) : ''}`] : []),
    ...(f.asOf ? [`asof-${f.asOf.iso.slice(0, 19).replace(/[-:]/g, '')}`] : []),
    ...(f.includeRetracted ? ['with-retracted'] : []),
  ]
    .map((p) =>
      p
        .normalize('NFKD')
        .replace(/[^A-Za-z0-9._]+/g, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter(Boolean);
  const scope = parts.join('-').slice(0, 100).replace(/-+$/, '');
  return `timeline${scope ? `-${scope}` : ''}-${stamp}.${extension}`;
}
