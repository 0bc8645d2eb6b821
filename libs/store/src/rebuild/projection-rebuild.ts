import type { DataSource } from 'typeorm';
import { eventCatalogue as defaultCatalogue, type EventCatalogue } from '@timeline/events';
import { TimelineProjectionWriter } from '../projection/timeline-projection.writer.js';
import { EventLogSource } from './event-log-source.js';
import type { PartitionRange, RebuildKafkaPhase } from './rebuild-kafka-phase.js';
import { nextProjectionName, projectionNameProblem } from './projection-version-name.js';
import { ProjectionVersions, type RebuildSource } from './projection-versions.js';
import { applyCatchUp, catchUpRanges, switchActiveProjection } from './projection-switch.js';
import { RebuildLock } from './rebuild-lock.js';
import { RebuildRequestError } from './rebuild-request.error.js';
import { emptyCounts, offsetKey, readOffsets, VersionBatchApplier, type RebuildCounts } from './version-batch-applier.js';

/** Prefix of the scratch versions `verify` builds (never resumed, removed by the next rebuild/verify). */
export const VERIFY_VERSION_PREFIX = 'verify_';

/** Where the rebuild runs and what it may use. */
export interface RebuildEnvironment {
  readonly ds: DataSource;
  /** Database schema of `ds` (partitions are created there). */
  readonly schema: string;
  /** The events topic (`KAFKA_TOPIC_EVENTS`). */
  readonly topic: string;
  /**
   * Reads the events topic into the version (`@timeline/projection`'s KafkaRebuildPhase: the live
   * projector's runner with a stop point). Absent: only the archive can be used.
   */
  readonly kafka?: RebuildKafkaPhase;
  /** Events per transaction. @default 500 */
  readonly chunkSize?: number;
  readonly catalogue?: EventCatalogue;
}

/** What to rebuild. */
export interface RebuildRequest {
  /** Version name; default: resume the interrupted build if there is one, else the next `v<n>`. */
  readonly name?: string;
  /** @default 'auto' — Kafka when it still holds the whole topic, else the archive. */
  readonly from?: RebuildSource | 'auto';
  /** Require an interrupted build to resume (fail if there is none). @default false */
  readonly resume?: boolean;
}

/** What {@link ProjectionRebuild.begin} decided. */
export interface RebuildPlan {
  readonly name: string;
  readonly source: RebuildSource;
  /** True when continuing an interrupted build from its stored offsets. */
  readonly resumed: boolean;
  /** Why this source was chosen, for the operator. */
  readonly reason: string;
}

/** Phases reported through {@link RebuildRunOptions.onProgress}. */
export type RebuildPhase = 'building' | 'catching-up' | 'switching' | 'retiring' | 'done';

/** A progress report (after every chunk and at every phase change). */
export interface RebuildProgress {
  readonly name: string;
  readonly phase: RebuildPhase;
  /** Messages read so far (including those an earlier, interrupted run read). */
  readonly processed: number;
  /** Messages to read in total, as far as known (grows if the live head moves on). */
  readonly total: number;
  readonly counts: Readonly<RebuildCounts>;
  /** Messages per second in this run. */
  readonly eventsPerSecond: number;
}

/** How to run. */
export interface RebuildRunOptions {
  /** Drop the old version's partitions after the switch (else keep it as `retired`). @default true */
  readonly dropOld?: boolean;
  /**
   * Wait between the switch and dropping the old version, so API requests that read the old pointer
   * a moment before the switch still find their rows (the API caches the pointer for 1 s). @default 10000
   */
  readonly dropDelayMs?: number;
  /** Switch (under the pointer lock) once at most this many events are left to catch up. @default 1000 */
  readonly switchThreshold?: number;
  readonly onProgress?: (p: RebuildProgress) => void;
  /**
   * Upper bound of messages per second while building and catching up, to limit the load on a busy
   * database (the switch itself is never slowed down). @default unlimited
   */
  readonly maxEventsPerSecond?: number;
  /** Aborting stops after the chunk in flight; the version stays `building` and can be resumed. */
  readonly signal?: AbortSignal;
}

/** What a finished rebuild did. */
export interface RebuildResult {
  readonly name: string;
  readonly previous: string;
  readonly source: RebuildSource;
  readonly resumed: boolean;
  readonly counts: Readonly<RebuildCounts>;
  /** Events applied inside the switch transaction. */
  readonly caughtUpUnderLock: number;
  readonly switchedAt: string;
  readonly oldVersion: 'dropped' | 'kept';
  readonly durationMs: number;
}

/**
 * A zero-downtime rebuild of the read model into a new projection version (ARCHITECTURE.md "Replay"):
 *
 * 1. **Build** a `building` version from offset 0 of the events topic (its own consumer group and
 *    `projector_offsets` rows), or from `event_log` in log order when Kafka no longer holds the
 *    oldest events. Bounded chunks, one transaction each including the version's offsets, so a
 *    crashed run is resumed from where it stopped.
 * 2. **Catch up** from `event_log` with what the live projector applied meanwhile, until little is left.
 * 3. **Switch** atomically ({@link switchActiveProjection}), then drop (or keep) the old version.
 *
 * Exclusive per schema: {@link begin} takes {@link RebuildLock} (held until the run ends), so two
 * rebuilds — or a rebuild and a verify — never interleave.
 */
export class ProjectionRebuild {
  private readonly versions: ProjectionVersions;
  private readonly applier: VersionBatchApplier;
  private readonly source: EventLogSource;
  private chunkSize: number;
  private released = false;

  private constructor(
    private readonly env: RebuildEnvironment,
    private readonly lock: RebuildLock,
    /** The decided name, source and whether it resumes. */
    readonly plan: RebuildPlan,
  ) {
    this.versions = new ProjectionVersions(env.ds, env.schema);
    this.applier = new VersionBatchApplier(env.ds, new TimelineProjectionWriter(env.catalogue ?? defaultCatalogue));
    this.source = new EventLogSource(env.catalogue ?? defaultCatalogue);
    this.chunkSize = env.chunkSize ?? 500;
  }

  /**
   * Takes the rebuild lock, decides name and source, and creates the version (status `building`,
   * partitions) unless it resumes one. Throws {@link RebuildInProgressError} when another rebuild or
   * verify runs, {@link RebuildRequestError} when the request cannot be met.
   */
  static async begin(env: RebuildEnvironment, req: RebuildRequest = {}): Promise<ProjectionRebuild> {
    if (req.name !== undefined) {
      const problem = projectionNameProblem(req.name);
      if (problem) throw new RebuildRequestError(`projection name "${req.name}" ${problem}`);
    }
    const lock = await RebuildLock.acquire(env.ds);
    try {
      const versions = new ProjectionVersions(env.ds, env.schema);
      await discardStaleVerifyVersions(versions);
      const plan = await decide(env, versions, req);
      if (!plan.resumed) await versions.create(plan.name, plan.source);
      return new ProjectionRebuild(env, lock, plan);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Builds, catches up, switches and retires the old version; releases the lock when done (or failed). */
  async run(opts: RebuildRunOptions = {}): Promise<RebuildResult> {
    const started = performance.now();
    const counts = emptyCounts();
    const { name } = this.plan;
    let phase: RebuildPhase = 'building';
    let processed = 0;
    let total = 0;
    let readThisRun = 0;
    const report = () =>
      opts.onProgress?.({
        name,
        phase,
        processed,
        total: Math.max(total, processed),
        counts,
        eventsPerSecond: readThisRun / Math.max(0.001, (performance.now() - started) / 1000),
      });
    const meter: ProgressMeter = {
      size: (done, all) => {
        processed = done;
        total = all;
        report();
      },
      advance: async (n) => {
        processed += n;
        readThisRun += n;
        report();
        const rate = opts.maxEventsPerSecond;
        if (rate && rate > 0) {
          const ahead = (readThisRun / rate) * 1000 - (performance.now() - started);
          if (ahead > 0) await sleep(ahead, opts.signal);
        }
      },
    };
    const advance = meter.advance;
    // A rate-limited run commits in chunks of a quarter second's worth, so the limit is smooth and
    // progress moves several times a second (one 500-message chunk at 40/s would be one 12 s leap).
    const rate = opts.maxEventsPerSecond;
    if (rate && rate > 0) this.chunkSize = Math.max(1, Math.min(this.chunkSize, Math.ceil(rate / 4)));
    try {
      if (this.plan.source === 'kafka') await this.buildFromKafka(counts, opts, meter);
      else await this.buildFromLog(counts, opts, meter);

      phase = 'catching-up';
      report();
      const threshold = opts.switchThreshold ?? 1000;
      for (let round = 0; round < 20; round++) {
        opts.signal?.throwIfAborted();
        const ranges = await catchUpRanges(this.env.ds, await this.versions.active(), name);
        let gap = 0;
        for (const r of ranges) gap += await this.source.count(this.env.ds, r.topic, r.partition, r.from, r.to);
        if (gap <= threshold) break;
        total += gap;
        await applyCatchUp(this.deps(), name, ranges, counts, async (n) => {
          await advance(n);
          opts.signal?.throwIfAborted();
        });
      }

      phase = 'switching';
      report();
      opts.signal?.throwIfAborted();
      const before = counts.read;
      const outcome = await switchActiveProjection({ ...this.deps(), topic: this.env.topic }, name, counts);
      processed += counts.read - before;
      total += counts.read - before;

      phase = 'retiring';
      report();
      let oldVersion: RebuildResult['oldVersion'] = 'kept';
      if (opts.dropOld ?? true) {
        const dropped = await sleep(opts.dropDelayMs ?? 10_000, opts.signal);
        if (dropped) {
          await this.versions.drop(outcome.previous);
          oldVersion = 'dropped';
        }
      }
      phase = 'done';
      report();
      return {
        name,
        previous: outcome.previous,
        source: this.plan.source,
        resumed: this.plan.resumed,
        counts: { ...counts },
        caughtUpUnderLock: outcome.caughtUp,
        switchedAt: outcome.switchedAt,
        oldVersion,
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      await this.release();
    }
  }

  /** Releases the lock without running (the version, if created, stays `building`). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.lock.release();
  }

  private deps() {
    return { ds: this.env.ds, applier: this.applier, source: this.source, chunkSize: this.chunkSize };
  }

  private async buildFromKafka(counts: RebuildCounts, opts: RebuildRunOptions, meter: ProgressMeter): Promise<void> {
    const kafka = this.env.kafka;
    if (!kafka) throw new RebuildRequestError('this rebuild reads Kafka, but no Kafka client is configured');
    const { topic } = this.env;
    const marks = await kafka.watermarks();
    if (!marks) throw new RebuildRequestError(`topic ${topic} does not exist; rebuild from the archive instead (--from event-log)`);
    const stored = await readOffsets(this.env.ds, this.plan.name);
    const storedByPartition = new Map<number, string>();
    for (const m of marks) {
      const s = stored.get(offsetKey(topic, m.partition));
      if (s !== undefined) storedByPartition.set(m.partition, s);
    }
    const size = kafkaSize(marks, storedByPartition);
    meter.size(size.done, size.total);
    await kafka.build({
      projection: this.plan.name,
      end: new Map(marks.map((m) => [m.partition, m.high])),
      chunkSize: this.chunkSize,
      counts,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onChunk: (read) => meter.advance(read),
    });
  }

  private async buildFromLog(counts: RebuildCounts, opts: RebuildRunOptions, meter: ProgressMeter): Promise<void> {
    const { ds } = this.env;
    const partitions = await this.source.partitions(ds);
    const stored = await readOffsets(ds, this.plan.name);
    let total = 0;
    let done = 0;
    for (const p of partitions) {
      total += p.rows;
      const s = stored.get(offsetKey(p.topic, p.partition));
      if (s !== undefined) done += await this.source.count(ds, p.topic, p.partition, null, s);
    }
    meter.size(done, total);
    for (const p of partitions) {
      // Bounded by what was archived when the build started; the catch-up phase covers the rest.
      await applyCatchUp(
        this.deps(),
        this.plan.name,
        [{ topic: p.topic, partition: p.partition, from: stored.get(offsetKey(p.topic, p.partition)) ?? null, to: p.endOffset }],
        counts,
        async (n) => {
          await meter.advance(n);
          opts.signal?.throwIfAborted();
        },
      );
    }
  }
}

/** Progress bookkeeping shared by the build phases. */
interface ProgressMeter {
  /** Sets what is already done (an interrupted run's work) and the total. */
  size(done: number, total: number): void;
  /** Adds `n` messages read now; resolves when the rate limit allows the next chunk. */
  advance(n: number): Promise<void>;
}

/** Offsets read and to read over all partitions (a resumed build starts with its stored offsets). */
function kafkaSize(marks: readonly PartitionRange[], stored: ReadonlyMap<number, string>): { done: number; total: number } {
  let done = 0n;
  let total = 0n;
  for (const m of marks) {
    const low = BigInt(m.low);
    const high = BigInt(m.high);
    total += high - low;
    const s = stored.get(m.partition);
    if (s !== undefined) done += (BigInt(s) < high ? BigInt(s) : high) - low;
  }
  return { done: Number(done), total: Number(total) };
}

async function decide(env: RebuildEnvironment, versions: ProjectionVersions, req: RebuildRequest): Promise<RebuildPlan> {
  const all = await versions.list();
  const interrupted = all.filter((v) => v.status === 'building' && !v.name.startsWith(VERIFY_VERSION_PREFIX));
  let resume = req.name !== undefined ? all.find((v) => v.name === req.name) : interrupted[0];
  if (resume && resume.status !== 'building') {
    throw new RebuildRequestError(`projection "${resume.name}" already exists (status ${resume.status}); choose another --name`);
  }
  if (req.name === undefined && interrupted.length > 1) {
    throw new RebuildRequestError(
      `several interrupted builds exist (${interrupted.map((v) => v.name).join(', ')}); name the one to resume with --name`,
    );
  }
  if (req.resume && !resume) {
    throw new RebuildRequestError(
      req.name ? `there is no interrupted build named "${req.name}" to resume` : 'there is no interrupted build to resume',
    );
  }
  if (resume && !resume.hasPartitions) resume = undefined;
  if (resume) {
    const wanted = req.from && req.from !== 'auto' ? req.from : undefined;
    if (wanted && wanted !== resume.source) {
      throw new RebuildRequestError(
        `"${resume.name}" was started from ${resume.source}; it resumes from the same source (drop --from, or discard it)`,
      );
    }
    return {
      name: resume.name,
      source: resume.source,
      resumed: true,
      reason: `resuming the interrupted build of "${resume.name}" from its stored offsets`,
    };
  }
  const name = req.name ?? nextProjectionName(all.map((v) => v.name));
  const chosen = await chooseSource(env, req.from ?? 'auto');
  return { name, ...chosen, resumed: false };
}

/** Kafka when it still holds the whole topic; the archive when retention, a recreated topic or a new cluster lost events. */
async function chooseSource(env: RebuildEnvironment, from: RebuildSource | 'auto'): Promise<{ source: RebuildSource; reason: string }> {
  if (from === 'event_log') return { source: 'event_log', reason: 'requested: rebuilding from the event_log archive' };
  const fallback = (why: string) => {
    if (from === 'kafka') throw new RebuildRequestError(`cannot rebuild from Kafka: ${why}; use --from event-log`);
    return { source: 'event_log' as const, reason: `${why}: rebuilding from the event_log archive` };
  };
  if (!env.kafka) return fallback('no Kafka client is configured');
  let marks: readonly PartitionRange[] | undefined;
  try {
    marks = await env.kafka.watermarks();
  } catch (err) {
    return fallback(`Kafka is unreachable (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!marks) return fallback(`topic ${env.topic} does not exist`);
  const trimmed = marks.filter((m) => BigInt(m.low) > 0n);
  if (trimmed.length > 0) {
    const list = trimmed.map((m) => `${m.partition} from ${m.low}`).join(', ');
    return fallback(`Kafka no longer holds the oldest offsets of ${env.topic} (partition ${list})`);
  }
  const held = marks.reduce((n, m) => n + (BigInt(m.high) - BigInt(m.low)), 0n);
  const archived = BigInt(((await env.ds.query('SELECT count(*)::text AS n FROM event_log')) as { n: string }[])[0]?.n ?? '0');
  if (held < archived)
    return fallback(`${env.topic} holds ${held} messages but the archive holds ${archived} events (a recreated topic or a new cluster)`);
  return { source: 'kafka', reason: `${env.topic} still holds every message from offset 0: rebuilding from Kafka` };
}

/** Drops scratch versions a killed `verify` left behind. Call only while holding {@link RebuildLock}. */
export async function discardStaleVerifyVersions(versions: ProjectionVersions): Promise<void> {
  // Only reached under the lock, so no verify is running: these are leftovers of a killed one.
  for (const v of await versions.list()) {
    if (v.name.startsWith(VERIFY_VERSION_PREFIX) && v.status === 'building') await versions.drop(v.name, { forget: true });
  }
}

/** Resolves true after `ms`, false if `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
