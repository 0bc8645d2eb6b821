import type { SignedTokenCodec } from '../query/signed-token.codec.js';
import { InvalidTokenError } from '../query/signed-token.codec.js';
import { invalidParameter } from '../query/query-reader.js';
import type { SqlParams } from '../read-model/sql-params.js';

/**
 * How far a reader has seen one Kafka partition of the projection: every change at offsets below
 * `offset`, and at `offset` itself either all of them (`after` absent) or those up to
 * `(entryId, version)` — one event can write several versions (a held-back correction applied
 * with its target), and a reader may disconnect between them.
 */
export interface PartitionMark {
  readonly offset: string;
  readonly after?: { readonly entryId: string; readonly version: number };
}

/**
 * A commit-ordered position in the change feed: one mark per partition. Not a sequence number: a
 * sequence is not commit order (a reader of "id > X" skips a row whose transaction commits late).
 * Within one partition the projector commits batches strictly in offset order (each batch locks
 * its partition's offset row), so "seen everything up to offset X of partition p" is stable.
 */
export type StreamPosition = ReadonlyMap<number, PartitionMark>;

/** Highest committed offset per partition (everything at or below it is visible). */
export type HighWater = ReadonlyMap<number, string>;

const TOKEN_KIND = 'stream-position';
type Body = { v: 1; p: ([number, string] | [number, string, string, number])[] };

/** Encodes stream positions as opaque, signed SSE ids / resume tokens. */
export class StreamPositionCodec {
  constructor(private readonly tokens: SignedTokenCodec) {}

  encode(position: StreamPosition): string {
    const p: Body['p'] = [...position.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, m]) => (m.after ? [partition, m.offset, m.after.entryId, m.after.version] : [partition, m.offset]));
    return this.tokens.encode(TOKEN_KIND, { v: 1, p } satisfies Body);
  }

  /** Parses a `Last-Event-ID`; a 400 naming `param` when it is not a token this API issued. */
  decode(token: string, param: string): StreamPosition {
    let body: unknown;
    try {
      body = this.tokens.decode(TOKEN_KIND, token);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw invalidParameter(param, err.message);
      throw err;
    }
    const b = body as Partial<Body>;
    if (b.v !== 1 || !Array.isArray(b.p)) throw invalidParameter(param, 'is not a stream position issued by this API version');
    const out = new Map<number, PartitionMark>();
    for (const item of b.p as unknown[]) {
      const ok =
        Array.isArray(item) &&
        (item.length === 2 || item.length === 4) &&
        Number.isInteger(item[0]) &&
        (item[0] as number) >= 0 &&
        typeof item[1] === 'string' &&
        /^\d{1,19}$/.test(item[1]) &&
        (item.length === 2 || (typeof item[2] === 'string' && /^[0-9a-f-]{36}$/.test(item[2]) && Number.isInteger(item[3])));
      if (!ok) throw invalidParameter(param, 'is not a stream position issued by this API version');
      const [partition, offset, entryId, version] = item as [number, string, string?, number?];
      out.set(partition, entryId !== undefined && version !== undefined ? { offset, after: { entryId, version } } : { offset });
    }
    return out;
  }
}

/** The position "everything up to the high-water mark seen", merged over `position` (never moves back). */
export function advanceTo(position: StreamPosition, hw: HighWater): StreamPosition {
  const out = new Map(position);
  for (const [partition, offset] of hw) {
    const cur = out.get(partition);
    if (!cur || BigInt(cur.offset) < BigInt(offset) || (BigInt(cur.offset) === BigInt(offset) && cur.after)) {
      out.set(partition, { offset });
    }
  }
  return out;
}

/** The position just after one change row. */
export function after(
  position: StreamPosition,
  row: { partition: number; offset: string; entryId: string; version: number },
): StreamPosition {
  const out = new Map(position);
  out.set(row.partition, { offset: row.offset, after: { entryId: row.entryId, version: row.version } });
  return out;
}

/**
 * SQL conditions selecting the change rows (alias `v` of entry_versions) after `position` and, when
 * a high-water mark is known, at or below it: one condition per partition, so each can run as its
 * own index range scan on `(projection, source_partition, source_offset)` (an OR of ranges would
 * scan from the start of the index). Partitions the position has never seen are read from their
 * start.
 */
export function changeRanges(position: StreamPosition, hw: HighWater | undefined, p: SqlParams, alias = 'v'): string[] {
  const partitions = new Set<number>([...position.keys(), ...(hw?.keys() ?? [])]);
  const ranges: string[] = [];
  for (const partition of [...partitions].sort((a, b) => a - b)) {
    if (hw && !hw.has(partition)) continue;
    const parts = [`${alias}.source_partition = ${p.bind(partition, 'int')}`];
    const mark = position.get(partition);
    if (mark?.after) {
      const offset = p.bind(mark.offset, 'bigint');
      // The plain bound lets the index start at the mark; the row comparison finishes the job.
      parts.push(
        `${alias}.source_offset >= ${offset}`,
        `(${alias}.source_offset, ${alias}.entry_id, ${alias}.version) > (${offset}, ${p.bind(mark.after.entryId, 'uuid')}, ${p.bind(mark.after.version, 'int')})`,
      );
    } else if (mark) {
      parts.push(`${alias}.source_offset > ${p.bind(mark.offset, 'bigint')}`);
    }
    const top = hw?.get(partition);
    if (top !== undefined) parts.push(`${alias}.source_offset <= ${p.bind(top, 'bigint')}`);
    ranges.push(parts.join(' AND '));
  }
  if (!hw) {
    // No high-water mark (no offsets recorded for this projection): partitions never seen start at 0.
    ranges.push(`NOT (${alias}.source_partition = ANY(${p.bind([...position.keys()], 'int[]')}))`);
  }
  return ranges;
}
