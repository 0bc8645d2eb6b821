/**
 * How far an envelope's `recordedAt` may run ahead of the timestamp of the Kafka record carrying it:
 * room for the clock skew of a foreign producer that stamps the two separately. Ingest and `cli seed`
 * write the record timestamp = `recordedAt`, so their events never come near it.
 */
export const RECORDED_AT_MAX_LEAD_MS = 5 * 60_000;

/** The record timestamp as a Date, or undefined when the record has none (kafkajs reports `-1` or nothing). */
function recordTime(recordTimestamp: string | undefined): Date | undefined {
  if (!recordTimestamp || !/^\d+$/.test(recordTimestamp)) return undefined;
  const at = new Date(Number(recordTimestamp));
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/**
 * The "recordedAt on the topic" rule shared by every reader of the events topic (the live projector
 * and a rebuild from Kafka must agree, or a rebuild would differ from the live timeline):
 * a parsed envelope without `recordedAt` gets the Kafka record timestamp (ARCHITECTURE.md fallback).
 * Anything that is not a JSON object is returned unchanged, for the catalogue to refuse.
 */
export function withRecordedAtFallback(parsed: unknown, recordTimestamp: string | undefined): unknown {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  if ((parsed as Record<string, unknown>).recordedAt !== undefined) return parsed;
  const at = recordTime(recordTimestamp);
  return at ? { ...parsed, recordedAt: at.toISOString() } : parsed;
}

/**
 * Knowledge cannot come from the future: a `recordedAt` later than the Kafka record's timestamp plus
 * {@link RECORDED_AT_MAX_LEAD_MS} is refused (the projector dead-letters it as
 * `EVENT.RECORDED_IN_FUTURE`). Refused rather than clamped so the archived envelope stays exactly what
 * was received, and judged against the record timestamp — not the reader's clock — so a replay years
 * later decides the same way. The broker bounds the record timestamp itself (Kafka 4 refuses
 * CreateTime more than `log.message.timestamp.after.max.ms`, 1 h by default, ahead of its clock).
 * Returns the reason, or undefined when the rule holds (or the record has no timestamp to judge by).
 */
export function recordedAtInFuture(recordedAt: string, recordTimestamp: string | undefined): string | undefined {
  const at = recordTime(recordTimestamp);
  const recorded = Date.parse(recordedAt);
  if (!at || Number.isNaN(recorded)) return undefined;
  const lead = recorded - at.getTime();
  if (lead <= RECORDED_AT_MAX_LEAD_MS) return undefined;
  return (
    `recordedAt ${recordedAt} is ${Math.round(lead / 1000)} s after the Kafka record's timestamp ${at.toISOString()}; ` +
    `at most ${RECORDED_AT_MAX_LEAD_MS / 1000} s of clock skew is allowed (knowledge cannot be recorded in the future)`
  );
}

/** Kafka header naming the tool that published a record (`ingest`, `cli-seed`); see {@link RecordedAtPolicy}. */
export const PRODUCER_HEADER = 'producer';

/**
 * Who may write `recordedAt` on the topic (docs/security.md, "topic trust model"). By default every
 * producer that can write to the events topic is trusted — Kafka ACLs are the boundary. A deployment
 * whose topic other teams can write to turns on either guard:
 * - `maxBackdateMs`: a `recordedAt` older than the record's timestamp by more than this is refused.
 *   Meaningful when the topic has `message.timestamp.type=LogAppendTime` (the broker stamps the
 *   timestamp; a producer's CreateTime can be backdated along with recordedAt).
 * - `trustedProducers`: only records whose `producer` header names one of these may carry their own
 *   `recordedAt` at all (they are also exempt from `maxBackdateMs`: `cli seed` publishes history).
 * Records that leave `recordedAt` out get the record timestamp (the fallback) and pass both guards.
 */
export interface RecordedAtPolicy {
  readonly maxBackdateMs?: number;
  readonly trustedProducers?: readonly string[];
}

/**
 * The reason a record's own `recordedAt` is refused under `policy` (`EVENT.RECORDED_AT_BACKDATED`),
 * or undefined. `hadRecordedAt`: the envelope carried one (false when the fallback filled it in).
 */
export function recordedAtBackdated(
  recordedAt: string,
  recordTimestamp: string | undefined,
  producer: string | undefined,
  hadRecordedAt: boolean,
  policy: RecordedAtPolicy = {},
): string | undefined {
  if (!hadRecordedAt) return undefined;
  const trusted = producer !== undefined && (policy.trustedProducers ?? []).includes(producer);
  if (policy.trustedProducers?.length && !trusted) {
    return `the record carries its own recordedAt but its producer (${producer ?? 'no "producer" header'}) is not one of the trusted producers (${policy.trustedProducers.join(', ')}); leave recordedAt out or publish through ingest`;
  }
  if (policy.maxBackdateMs === undefined || trusted) return undefined;
  const at = recordTime(recordTimestamp);
  const recorded = Date.parse(recordedAt);
  if (!at || Number.isNaN(recorded)) return undefined;
  const lag = at.getTime() - recorded;
  if (lag <= policy.maxBackdateMs) return undefined;
  return `recordedAt ${recordedAt} is ${Math.round(lag / 1000)} s before the Kafka record's timestamp ${at.toISOString()}; at most ${Math.round(policy.maxBackdateMs / 1000)} s is allowed (knowledge cannot be backdated)`;
}
