import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { eventCatalogue as defaultCatalogue, type EventCatalogue } from '@timeline/events';
import { TimelineProjectionWriter } from '../projection/timeline-projection.writer.js';
import { EventLogSource } from './event-log-source.js';
import { compareChecksums, projectionChecksumIn, type ChecksumDivergence, type ProjectionChecksum } from './projection-checksum.js';
import { VERIFY_VERSION_PREFIX, discardStaleVerifyVersions } from './projection-rebuild.js';
import { applyCatchUp, type CatchUpRange } from './projection-switch.js';
import { ProjectionVersions } from './projection-versions.js';
import { RebuildLock } from './rebuild-lock.js';
import { RebuildRequestError } from './rebuild-request.error.js';
import { emptyCounts, parseOffsetKey, readOffsets, VersionBatchApplier, type RebuildCounts } from './version-batch-applier.js';

/** What {@link verifyProjection} found. */
export interface VerifyReport {
  /** The active version that was checked. */
  readonly live: ProjectionChecksum;
  /** The version it was compared with: rebuilt from `event_log` (then dropped), or the one named. */
  readonly reference: ProjectionChecksum;
  /** Empty when both are equal. */
  readonly divergences: readonly ChecksumDivergence[];
  /** What rebuilding the reference read (zero when comparing with an existing version). */
  readonly counts: Readonly<RebuildCounts>;
}

/** Options of {@link verifyProjection}. */
export interface VerifyOptions {
  /** Compare with this existing version instead of rebuilding one from the log. */
  readonly against?: string;
  /** Events per transaction while rebuilding. @default 500 */
  readonly chunkSize?: number;
  readonly catalogue?: EventCatalogue;
  readonly onProgress?: (processed: number, total: number) => void;
}

/**
 * The determinism check: is the active version what the log says it should be?
 *
 * 1. In ONE repeatable-read snapshot: the active version's offsets and its checksum. The live
 *    projector commits event_log rows, projection rows and offsets together, so in that snapshot the
 *    version is exactly the result of the archived events below those offsets.
 * 2. A scratch version (`verify_<random>`) is built from `event_log`, bounded by those offsets, so
 *    events the live projector applies meanwhile are left out on both sides.
 * 3. Checksums are compared day by day ({@link compareChecksums}); the scratch version is dropped.
 *
 * Holds the rebuild lock: never runs beside a rebuild (whose switch would move the active version).
 */
export async function verifyProjection(ds: DataSource, schema: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const lock = await RebuildLock.acquire(ds);
  const versions = new ProjectionVersions(ds, schema);
  let scratch: string | undefined;
  try {
    await discardStaleVerifyVersions(versions);
    const snapshot = await ds.transaction('REPEATABLE READ', async (m) => {
      const active = (await m.query('SELECT name FROM active_projection'))[0]?.name as string | undefined;
      if (!active) throw new RebuildRequestError('active_projection is empty: run the migrations (npm run cli -- migrate)');
      const offsets = await readOffsets(m, active);
      return { offsets, checksum: await projectionChecksumIn(m, active) };
    });

    if (opts.against !== undefined) {
      const other = await versions.get(opts.against);
      if (!other || !other.hasPartitions)
        throw new RebuildRequestError(`there is no projection version "${opts.against}" with data to compare with`);
      const reference = await ds.transaction('REPEATABLE READ', (m) => projectionChecksumIn(m, opts.against!));
      return { live: snapshot.checksum, reference, divergences: compareChecksums(snapshot.checksum, reference), counts: emptyCounts() };
    }

    scratch = `${VERIFY_VERSION_PREFIX}${randomBytes(4).toString('hex')}`;
    await versions.create(scratch, 'event_log');
    const catalogue = opts.catalogue ?? defaultCatalogue;
    const source = new EventLogSource(catalogue);
    const ranges: CatchUpRange[] = [...snapshot.offsets].map(([key, to]) => ({ ...parseOffsetKey(key), from: null, to }));
    let total = 0;
    for (const r of ranges) total += await source.count(ds, r.topic, r.partition, null, r.to);
    let processed = 0;
    opts.onProgress?.(0, total);
    const counts = emptyCounts();
    const deps = {
      ds,
      applier: new VersionBatchApplier(ds, new TimelineProjectionWriter(catalogue)),
      source,
      chunkSize: opts.chunkSize ?? 500,
    };
    await applyCatchUp(deps, scratch, ranges, counts, (n) => {
      processed += n;
      opts.onProgress?.(processed, total);
    });
    const reference = await ds.transaction('REPEATABLE READ', (m) => projectionChecksumIn(m, scratch!));
    return { live: snapshot.checksum, reference, divergences: compareChecksums(snapshot.checksum, reference), counts };
  } finally {
    try {
      if (scratch) await versions.drop(scratch, { forget: true });
    } finally {
      await lock.release();
    }
  }
}
