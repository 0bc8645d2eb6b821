import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CodedError, RateLimited, RequireRole } from '@timeline/http';
import { RebuildInProgressError, RebuildRequestError, projectionNameProblem, type RebuildSource } from '@timeline/store';
import { RebuildJobs, type RebuildStatus } from './rebuild-jobs.js';

/** Body of `POST /v1/admin/rebuild` (documentation only: validated by hand below, every problem named). */
export class RebuildRequestDto {
  @ApiPropertyOptional({ description: 'Version name (default: resume an interrupted build, else the next v<n>).', example: 'v2' })
  name?: string;

  @ApiPropertyOptional({
    enum: ['auto', 'kafka', 'event-log'],
    default: 'auto',
    description: 'Source: Kafka from offset 0, or the event_log archive. `auto` uses Kafka while it still holds every event.',
  })
  from?: string;

  @ApiPropertyOptional({ type: Boolean, default: true, description: 'Drop the old version after the switch (false: keep it as retired).' })
  dropOld?: boolean;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Require an interrupted build to resume.' })
  resume?: boolean;

  @ApiPropertyOptional({ type: Number, description: 'Upper bound of events per second while building (limits database load).' })
  maxEventsPerSecond?: number;
}

const SOURCES: Readonly<Record<string, RebuildSource | 'auto'>> = { auto: 'auto', kafka: 'kafka', 'event-log': 'event_log' };
const KEYS = ['name', 'from', 'dropOld', 'resume', 'maxEventsPerSecond'];
/** Grace period between the switch and dropping the old version (API instances cache the pointer for 1 s). */
const DROP_DELAY_MS = 10_000;

/** `POST /v1/admin/rebuild` and its status resource: the CLI's `rebuild`, for operators with an admin key. */
@ApiTags('admin')
@RequireRole('admin')
@RateLimited('writes')
@ApiUnauthorizedResponse({ description: 'No or an unknown API key.' })
@ApiForbiddenResponse({ description: 'The key is not an admin key.' })
@Controller('v1/admin/rebuild')
export class RebuildController {
  constructor(@Inject(RebuildJobs) private readonly jobs: RebuildJobs) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild the read model into a new projection version and switch to it atomically when it has caught up',
    description:
      'Returns at once with 202 and a `Location` of the status resource. The API keeps serving the current version ' +
      'throughout. One rebuild (or verify) at a time per deployment.',
  })
  @ApiBody({ type: RebuildRequestDto, required: false })
  @ApiAcceptedResponse({ description: '`{ name, source, resumed, reason, statusUrl }`' })
  @ApiBadRequestResponse({ description: 'An invalid body member (problem+json naming it).' })
  @ApiConflictResponse({ description: 'Another rebuild or verify is running, or the version name is taken.' })
  async start(@Body() body: unknown, @Res({ passthrough: true }) res: { setHeader(n: string, v: string): unknown }) {
    const req = parseBody(body);
    try {
      const plan = await this.jobs.start(
        { ...(req.name !== undefined ? { name: req.name } : {}), from: req.from, resume: req.resume },
        {
          dropOld: req.dropOld,
          dropDelayMs: DROP_DELAY_MS,
          ...(req.maxEventsPerSecond ? { maxEventsPerSecond: req.maxEventsPerSecond } : {}),
        },
      );
      const statusUrl = `/v1/admin/rebuild/${plan.name}`;
      res.setHeader('Location', statusUrl);
      return { ...plan, statusUrl };
    } catch (err) {
      if (err instanceof RebuildInProgressError) throw new CodedError('REBUILD.IN_PROGRESS', err.message);
      if (err instanceof RebuildRequestError) throw new CodedError('REBUILD.CONFLICT', err.message);
      if ((err as { code?: unknown }).code === '42501' || (err as { driverError?: { code?: unknown } }).driverError?.code === '42501') {
        throw new CodedError(
          'AUTH.FORBIDDEN',
          "This process's database role may not write the read model: run the projector with the writer role (`cli db:roles`), or rebuild with `npm run cli -- rebuild`.",
        );
      }
      throw err;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Every projection version with its state (running, interrupted, active, retired, dropped …)' })
  @ApiOkResponse({ description: '`{ data: RebuildStatus[] }`' })
  async list(): Promise<{ data: RebuildStatus[] }> {
    return { data: await this.jobs.list() };
  }

  @Get(':name')
  @ApiOperation({ summary: 'State and progress of one projection version (poll it after POST)' })
  @ApiOkResponse({ description: 'A RebuildStatus: state, rows, and progress/result/error when this instance runs it.' })
  @ApiNotFoundResponse({ description: 'No such projection version.' })
  async status(@Param('name') name: string): Promise<RebuildStatus> {
    const status = projectionNameProblem(name) ? undefined : await this.jobs.status(name);
    if (!status) throw new CodedError('NOT_FOUND', `There is no projection version "${name}".`);
    return status;
  }
}

function parseBody(body: unknown): {
  name?: string;
  from: RebuildSource | 'auto';
  dropOld: boolean;
  resume: boolean;
  maxEventsPerSecond?: number;
} {
  const b = body === undefined || body === null ? {} : body;
  const problems: { path: string; message: string }[] = [];
  if (typeof b !== 'object' || Array.isArray(b)) {
    throw new CodedError('REQUEST.MALFORMED', 'The body must be a JSON object (or empty).', [{ path: '', message: 'must be an object' }]);
  }
  const o = b as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KEYS.includes(k)) problems.push({ path: `/${k}`, message: `is not a member; allowed: ${KEYS.join(', ')}` });
  let name: string | undefined;
  if (o.name !== undefined) {
    const problem = typeof o.name === 'string' ? projectionNameProblem(o.name) : 'must be a string';
    if (problem) problems.push({ path: '/name', message: problem });
    else name = o.name as string;
  }
  const from = o.from === undefined ? 'auto' : typeof o.from === 'string' ? SOURCES[o.from] : undefined;
  if (!from) problems.push({ path: '/from', message: 'must be one of auto, kafka, event-log' });
  const bool = (k: string, fallback: boolean) => {
    if (o[k] === undefined) return fallback;
    if (typeof o[k] !== 'boolean') problems.push({ path: `/${k}`, message: 'must be true or false' });
    return o[k] === true;
  };
  const dropOld = bool('dropOld', true);
  const resume = bool('resume', false);
  const rate = o.maxEventsPerSecond;
  if (rate !== undefined && (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0)) {
    problems.push({ path: '/maxEventsPerSecond', message: 'must be a positive number' });
  }
  if (problems.length > 0) {
    throw new CodedError(
      'REQUEST.MALFORMED',
      `Invalid rebuild request: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
      problems,
    );
  }
  return {
    ...(name !== undefined ? { name } : {}),
    from: from!,
    dropOld,
    resume,
    ...(typeof rate === 'number' ? { maxEventsPerSecond: rate } : {}),
  };
}
