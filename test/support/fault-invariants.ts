import fs from 'node:fs';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { processAlive } from './private-infra.js';
import { waitForCaughtUp } from './projector-harness.js';
import { waitFor } from './wait.js';

/** Inputs of {@link checkFaultInvariants}. */
export interface FaultInvariantInput {
  /** A data source on the test's schema. */
  readonly ds: DataSource;
  readonly kafka: Kafka;
  /** The events topic. */
  readonly topic: string;
  /** Every eventId the system accepted (ingest answered 202, or Kafka acknowledged a direct send). */
  readonly accepted: Iterable<string>;
  /** Accepted entry events that a later accepted `entry.retracted` removed from the timeline. */
  readonly retracted?: Iterable<string>;
  /** How long the projector may take to bring the lag back to 0. @default 120000 */
  readonly lagBoundMs?: number;
  /** A running timeline API: per story, the timeline it serves is checked for order and completeness. */
  readonly apiUrl?: string;
  /** Pids that must be gone (processes the scenario stopped or killed). */
  readonly stoppedPids?: readonly (number | undefined)[];
}

/** What the checker measured (for the scenario's own assertions and the reliability matrix). */
export interface FaultInvariantReport {
  readonly accepted: number;
  /** Rows in event_log (accepted + events whose fate the client could not know, e.g. answered 503). */
  readonly archived: number;
  readonly entries: number;
  readonly lagDrainedMs: number;
  readonly storiesChecked: number;
}

/**
 * The invariants every fault scenario must keep (docs/reliability.md), asserted with Jest's `expect`:
 *
 * 1. lag returns to 0 within the bound: every partition's stored next offset reaches its high watermark;
 * 2. every accepted eventId is in `event_log` exactly once;
 * 3. every accepted entry event is in the active projection's timeline exactly once, and its history
 *    holds it exactly once (retracted entries are flagged `retracted`, never missing or doubled);
 * 4. per story, the timeline is in occurred order: each entry sits at its event's `occurredAt`, and
 *    (with `apiUrl`) the API serves the story sorted by (occurredAt, recordedAt, id), complete;
 * 5. no process the scenario stopped is left running.
 */
export async function checkFaultInvariants(input: FaultInvariantInput): Promise<FaultInvariantReport> {
  const { ds } = input;
  const accepted = [...new Set(input.accepted)];
  const retracted = new Set(input.retracted ?? []);

  const t0 = Date.now();
  await waitForCaughtUp(ds, input.kafka, input.topic, input.lagBoundMs ?? 120_000);
  const lagDrainedMs = Date.now() - t0;

  // 2. event_log: the primary key makes "at most once" structural; "at least once" is what a fault breaks.
  const archivedRows: { event_id: string; type: string }[] = await ds.query(
    `SELECT event_id::text AS event_id, type FROM event_log WHERE event_id = ANY($1::uuid[])`,
    [accepted],
  );
  const archivedIds = new Set(archivedRows.map((r) => r.event_id));
  const missing = accepted.filter((id) => !archivedIds.has(id));
  expect({ missingFromEventLog: missing.length, sample: missing.slice(0, 5) }).toEqual({ missingFromEventLog: 0, sample: [] });

  // 3. timeline + history, in the active projection.
  const entryIds = archivedRows.filter((r) => !r.type.startsWith('entry.')).map((r) => r.event_id);
  const entries: { entry_id: string; n: number; status: string }[] = await ds.query(
    `SELECT t.entry_id::text AS entry_id, count(*)::int AS n, min(t.status) AS status
     FROM timeline_entries t JOIN active_projection ap ON ap.name = t.projection
     WHERE t.entry_id = ANY($1::uuid[]) GROUP BY t.entry_id`,
    [entryIds],
  );
  const byId = new Map(entries.map((e) => [e.entry_id, e]));
  const notOnce = entryIds.filter((id) => byId.get(id)?.n !== 1);
  expect({ entriesNotExactlyOnce: notOnce.length, sample: notOnce.slice(0, 5) }).toEqual({ entriesNotExactlyOnce: 0, sample: [] });
  const wrongStatus = entryIds.filter((id) => (byId.get(id)?.status === 'retracted') !== retracted.has(id));
  expect({ wrongRetractionState: wrongStatus.length, sample: wrongStatus.slice(0, 5) }).toEqual({ wrongRetractionState: 0, sample: [] });
  const versionsNotOnce: { event_id: string; n: number }[] = await ds.query(
    `SELECT v.event_id::text AS event_id, count(*)::int AS n
     FROM entry_versions v JOIN active_projection ap ON ap.name = v.projection
     WHERE v.event_id = ANY($1::uuid[]) GROUP BY v.event_id HAVING count(*) <> 1`,
    [accepted],
  );
  expect(versionsNotOnce).toEqual([]);
  const versionCount = Number(
    (
      await ds.query(
        `SELECT count(DISTINCT v.event_id)::int AS n FROM entry_versions v JOIN active_projection ap ON ap.name = v.projection
         WHERE v.event_id = ANY($1::uuid[])`,
        [entryIds],
      )
    )[0].n,
  );
  expect(versionCount).toBe(entryIds.length);

  // 4a. each entry sits at its own event's occurred time, whatever order the events arrived in.
  const misplaced: { entry_id: string }[] = await ds.query(
    `SELECT t.entry_id::text AS entry_id FROM timeline_entries t
     JOIN active_projection ap ON ap.name = t.projection
     JOIN event_log e ON e.event_id = t.entry_id
     WHERE t.entry_id = ANY($1::uuid[]) AND t.version = 1 AND t.occurred_at <> e.occurred_at`,
    [entryIds],
  );
  expect(misplaced).toEqual([]);

  // 4b. the API serves each story in order, completely.
  let storiesChecked = 0;
  if (input.apiUrl) {
    const stories: { story_id: string; n: number }[] = await ds.query(
      `SELECT t.story_id, count(*)::int AS n FROM timeline_entries t JOIN active_projection ap ON ap.name = t.projection
       WHERE t.status <> 'retracted' GROUP BY t.story_id ORDER BY t.story_id`,
    );
    for (const s of stories) {
      const served = await walkStory(input.apiUrl, s.story_id);
      expect({ story: s.story_id, served: served.length }).toEqual({ story: s.story_id, served: s.n });
      for (let i = 1; i < served.length; i++) {
        const [a, b] = [served[i - 1]!, served[i]!];
        const ordered =
          Date.parse(a.occurredAt) < Date.parse(b.occurredAt) ||
          (a.occurredAt === b.occurredAt &&
            (Date.parse(a.recordedAt) < Date.parse(b.recordedAt) || (a.recordedAt === b.recordedAt && a.id < b.id)));
        if (!ordered) throw new Error(`story ${s.story_id}: entry ${b.id} (${b.occurredAt}) is served after ${a.id} (${a.occurredAt})`);
      }
      storiesChecked++;
    }
  }

  // 5. nothing the scenario stopped still runs.
  const survivors = (input.stoppedPids ?? []).filter((p): p is number => p !== undefined && processAlive(p));
  expect({ processesLeftBehind: survivors }).toEqual({ processesLeftBehind: [] });

  const archived = Number((await ds.query(`SELECT count(*)::int AS n FROM event_log`))[0].n);
  return { accepted: accepted.length, archived, entries: entryIds.length, lagDrainedMs, storiesChecked };
}

/** Every entry of a story through `GET /v1/timeline`, following cursors. */
async function walkStory(apiUrl: string, story: string): Promise<{ id: string; occurredAt: string; recordedAt: string }[]> {
  const out: { id: string; occurredAt: string; recordedAt: string }[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL('/v1/timeline', apiUrl);
    url.searchParams.set('story', story);
    url.searchParams.set('limit', '500');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as {
      data: { id: string; occurredAt: string; recordedAt: string }[];
      page: { nextCursor: string | null };
    };
    out.push(...page.data);
    cursor = page.page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * Per partition, the events archived equal the stored next offset: the invariant a crash or a
 * shutdown must not break when every message on the topic is a distinct valid event (a half-applied
 * batch would leave rows without their offset, or an offset without its rows).
 */
export async function expectOffsetsMatchArchive(ds: DataSource, topic: string): Promise<void> {
  const rows: { partition: number; stored: string; archived: string }[] = await ds.query(
    `SELECT po.partition, po.next_offset::text AS stored,
            (SELECT count(*) FROM event_log e WHERE e.source_topic = po.topic AND e.source_partition = po.partition)::text AS archived
     FROM projector_offsets po JOIN active_projection ap ON ap.name = po.projection WHERE po.topic = $1 ORDER BY po.partition`,
    [topic],
  );
  expect(rows.map((r) => ({ partition: r.partition, archived: r.archived }))).toEqual(
    rows.map((r) => ({ partition: r.partition, archived: r.stored })),
  );
}

/** Resident set size of a process in bytes (from /proc), or undefined once it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starves a process of CPU by SIGSTOP/SIGCONT cycles (stopped `stoppedMs`, running `runningMs`), like a
 * noisy neighbour or a throttled container. `stop()` always leaves it running.
 */
export function throttleProcess(pid: number, stoppedMs: number, runningMs: number): { stop(): Promise<void>; cycles(): number } {
  let active = true;
  let cycles = 0;
  const loop = (async () => {
    while (active) {
      try {
        process.kill(pid, 'SIGSTOP');
        await new Promise((r) => setTimeout(r, stoppedMs));
      } finally {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone
        }
      }
      cycles++;
      await new Promise((r) => setTimeout(r, runningMs));
    }
  })();
  return {
    cycles: () => cycles,
    stop: async () => {
      active = false;
      await loop.catch(() => undefined);
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    },
  };
}

/** Waits until a process (by its pg application_name) is inside a batch transaction. */
export async function waitForOpenTransaction(ds: DataSource, applicationName: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${applicationName} to be inside a batch transaction`,
    async () => {
      // The batch transaction's first statement takes the partition's advisory xact lock (OffsetStore.lockPartition).
      const rows: { n: number }[] = await ds.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity a
         JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
         WHERE a.application_name = $1 AND a.xact_start IS NOT NULL`,
        [applicationName],
      );
      return rows[0]!.n > 0 ? true : undefined;
    },
    timeoutMs,
    5,
  );
}
