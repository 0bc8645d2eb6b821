import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { LOGGER, type Logger } from '@timeline/observability';
import { rebuildEnvironment } from '@timeline/projection';
import {
  ProjectionRebuild,
  ProjectionVersions,
  RebuildLock,
  type ProjectionVersionInfo,
  type RebuildPlan,
  type RebuildProgress,
  type RebuildRequest,
  type RebuildResult,
} from '@timeline/store';

/** A rebuild started by this projector process. */
interface Job {
  readonly plan: RebuildPlan;
  readonly startedAt: string;
  progress?: RebuildProgress;
  result?: RebuildResult;
  error?: string;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/** How a `POST /v1/admin/rebuild` run behaves. */
export interface RebuildJobOptions {
  readonly dropOld: boolean;
  readonly dropDelayMs: number;
  readonly maxEventsPerSecond?: number;
}

/** What `GET /v1/admin/rebuild/:name` answers. */
export interface RebuildStatus {
  readonly name: string;
  /** `projections.status`. */
  readonly status: ProjectionVersionInfo['status'];
  /**
   * `running` (some process holds the rebuild lock while this version builds), `interrupted`
   * (building, nobody working on it: resume it), `failed` (this projector instance's run failed; see
   * `error`), `active`, `retired`, or `dropped` (retired and its partitions removed).
   */
  readonly state: 'running' | 'interrupted' | 'failed' | 'active' | 'retired' | 'dropped';
  readonly source: ProjectionVersionInfo['source'];
  readonly createdAt: string;
  readonly activatedAt: string | null;
  readonly retiredAt: string | null;
  /** Rows in the version now. */
  readonly rows: { readonly entries: number; readonly versions: number } | null;
  /** Live progress, when this projector instance runs the rebuild. */
  readonly progress: Omit<RebuildProgress, 'name'> | null;
  readonly result: RebuildResult | null;
  readonly error: string | null;
}

/**
 * Rebuilds started through the admin API, run in the background of this process. The state that
 * matters lives in Postgres (`projections`, offsets, the advisory lock), so the status of a rebuild
 * started by the CLI or another instance is visible here too; live progress and errors only for the
 * runs of this instance. On shutdown a running rebuild is stopped after its chunk in flight (it
 * stays `building` and is resumed by the next request or `npm run cli -- rebuild`).
 */
@Injectable()
export class RebuildJobs implements BeforeApplicationShutdown {
  private readonly jobs = new Map<string, Job>();

  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(Kafka) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Takes the rebuild lock, creates or resumes the version, and runs the rest in the background. */
  async start(req: RebuildRequest, opts: RebuildJobOptions): Promise<RebuildPlan> {
    const rebuild = await ProjectionRebuild.begin(
      rebuildEnvironment(this.config, this.ds, this.kafka, { logger: this.logger.child({ component: 'rebuild' }) }),
      req,
    );
    const { plan } = rebuild;
    const abort = new AbortController();
    const job: Job = {
      plan,
      startedAt: new Date().toISOString(),
      abort,
      done: rebuild
        .run({
          dropOld: opts.dropOld,
          dropDelayMs: opts.dropDelayMs,
          ...(opts.maxEventsPerSecond ? { maxEventsPerSecond: opts.maxEventsPerSecond } : {}),
          signal: abort.signal,
          onProgress: (p) => (job.progress = p),
        })
        .then(
          (result) => {
            job.result = result;
            this.logger.info({ rebuild: result }, 'projection rebuild finished and switched');
          },
          (err: unknown) => {
            job.error = err instanceof Error ? err.message : String(err);
            this.logger.error({ err, projection: plan.name }, 'projection rebuild failed; the version stays "building" and can be resumed');
          },
        ),
    };
    this.jobs.set(plan.name, job);
    this.logger.info(
      { projection: plan.name, source: plan.source, resumed: plan.resumed, reason: plan.reason },
      'projection rebuild started',
    );
    return plan;
  }

  /** Every version, oldest first. */
  async list(): Promise<RebuildStatus[]> {
    const versions = await new ProjectionVersions(this.ds, this.config.database.schema).list();
    const running = await RebuildLock.isHeld(this.ds);
    return Promise.all(versions.map((v) => this.describe(v, running)));
  }

  /** Status of one version; undefined when there is no such version. */
  async status(name: string): Promise<RebuildStatus | undefined> {
    const v = await new ProjectionVersions(this.ds, this.config.database.schema).get(name);
    if (!v) return undefined;
    return this.describe(v, await RebuildLock.isHeld(this.ds));
  }

  async beforeApplicationShutdown(): Promise<void> {
    // The DataSource closes right after this hook: let the runs release their connections first.
    for (const job of this.jobs.values()) job.abort.abort(new Error('the projector is shutting down'));
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private async describe(v: ProjectionVersionInfo, lockHeld: boolean): Promise<RebuildStatus> {
    const job = this.jobs.get(v.name);
    const mine = job && !job.result && !job.error;
    let state: RebuildStatus['state'];
    if (v.status === 'active') state = 'active';
    else if (v.status === 'retired') state = v.hasPartitions ? 'retired' : 'dropped';
    else if (mine || lockHeld) state = 'running';
    else state = job?.error ? 'failed' : 'interrupted';
    let rows: RebuildStatus['rows'] = null;
    if (v.hasPartitions) {
      const r = (await this.ds.query(
        `SELECT (SELECT count(*)::int FROM timeline_entries WHERE projection = $1) AS entries,
                (SELECT count(*)::int FROM entry_versions WHERE projection = $1) AS versions`,
        [v.name],
      )) as { entries: number; versions: number }[];
      rows = r[0] ?? null;
    }
    const { name: _name, ...progress } = job?.progress ?? ({ name: '' } as RebuildProgress);
    return {
      name: v.name,
      status: v.status,
      state,
      source: v.source,
      createdAt: v.createdAt,
      activatedAt: v.activatedAt,
      retiredAt: v.retiredAt,
      rows,
      progress: job?.progress ? progress : null,
      result: job?.result ?? null,
      error: job?.error ?? null,
    };
  }
}
