import { errorChain, isConnectionLossMessage, postgresFailureOf, type PostgresFailureKind } from '@timeline/store';

/**
 * How the projection runner reacts to a failed batch (CONVENTIONS.md rule 5):
 * - `retriable`: the infrastructure failed (Postgres or Kafka down, connection lost, deadlock,
 *   lock/statement timeout, a session ended for idling in its transaction, a concurrent duplicate
 *   insert). Roll back, back off, try the same batch again; skip nothing.
 * - `data`: Postgres refused a value of one message (SQLSTATE class 22/54, e.g. a date outside its
 *   range). That message is poison after all: isolate it and dead-letter it.
 * - `fatal`: anything else (a bug, a missing partition, permissions). Stop without committing;
 *   the orchestrator restarts the process and the batch is tried again from the stored offset.
 *
 * The PostgreSQL half (SQLSTATEs, network errno, lost connections) is `@timeline/store`'s
 * {@link postgresFailureOf}; this adds what Kafka clients report.
 */
export type FailureKind = PostgresFailureKind;

/** Classifies an error thrown while applying a batch (walks `cause` / `driverError`). */
export function classifyFailure(err: unknown): FailureKind {
  for (const e of errorChain(err)) {
    const db = postgresFailureOf(e);
    if (db) return db;
    const o = e as { retriable?: unknown; name?: unknown };
    // Every Kafka failure on this path (DLQ send, watermark lookup) is an outage to wait out: the
    // client marks "retries exhausted" non-retriable, but for a projector that must skip nothing it is not final.
    if (typeof o.name === 'string' && o.name.startsWith('KafkaJS')) return 'retriable';
    if (typeof o.retriable === 'boolean') return o.retriable ? 'retriable' : 'fatal';
    if (isConnectionLossMessage(e)) return 'retriable';
  }
  return 'fatal';
}
