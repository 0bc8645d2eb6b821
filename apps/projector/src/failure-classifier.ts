/**
 * How the projector reacts to a failed batch (CONVENTIONS.md rule 5):
 * - `retriable`: the infrastructure failed (Postgres or Kafka down, connection lost, deadlock,
 *   lock/statement timeout, a session ended for idling in its transaction, a concurrent duplicate insert). Roll back, back off, try the same batch
 *   again; skip nothing.
 * - `data`: Postgres refused a value of one message (SQLSTATE class 22/54, e.g. a date outside its
 *   range). That message is poison after all: isolate it and dead-letter it.
 * - `fatal`: anything else (a bug, a missing partition, permissions). Stop without committing;
 *   the orchestrator restarts the process and the batch is tried again from the stored offset.
 */
export type FailureKind = 'retriable' | 'data' | 'fatal';

const RETRIABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '23505', // unique_violation: the same event committed by another partition's transaction meanwhile
  '25P02', // in_failed_sql_transaction: a symptom of the first error, never a cause
  // The server ended a session that sat too long in its transaction (PROJECTOR_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS):
  // this instance was frozen or starved; the transaction is gone whole and the batch is tried again,
  // where the fence finds whatever a successor committed meanwhile (issue 11).
  '25P03', // idle_in_transaction_session_timeout
  '25P04', // transaction_timeout (PostgreSQL 17+)
  '57P05', // idle_session_timeout
]);
const RETRIABLE_SQLSTATE_CLASSES = new Set(['08', '53', '58']);
const DATA_SQLSTATE_CLASSES = new Set(['22', '54']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Connection is not established|terminating connection|Client has encountered a connection error|connection is closed/i;

/** Classifies an error thrown while applying a batch (walks `cause` / `driverError`). */
export function classifyFailure(err: unknown): FailureKind {
  for (const e of errorChain(err)) {
    const o = e as { code?: unknown; retriable?: unknown; message?: unknown; name?: unknown };
    const code = typeof o.code === 'string' ? o.code : undefined;
    // Network errno first: "EPIPE" also looks like a five-character SQLSTATE.
    if (code && NETWORK_CODES.has(code)) return 'retriable';
    if (code && /^[0-9A-Z]{5}$/.test(code)) {
      if (RETRIABLE_SQLSTATES.has(code) || RETRIABLE_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'retriable';
      if (DATA_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'data';
      return 'fatal';
    }
    // TypeORM releases a query runner whose pg client emitted 'error' (connection lost), so the next
    // statement of that transaction fails with this instead of a connection error. The applier never
    // uses a runner after releasing it itself, so here it always means a lost connection.
    if (o.name === 'QueryRunnerAlreadyReleasedError') return 'retriable';
    // Every Kafka failure on this path (DLQ send, watermark lookup) is an outage to wait out: kafkajs
    // marks "retries exhausted" non-retriable, but for a projector that must skip nothing it is not final.
    if (typeof o.name === 'string' && o.name.startsWith('KafkaJS')) return 'retriable';
    if (typeof o.retriable === 'boolean') return o.retriable ? 'retriable' : 'fatal';
    if (typeof o.message === 'string' && CONNECTION_MESSAGES.test(o.message)) return 'retriable';
  }
  return 'fatal';
}

function errorChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue: unknown[] = [err];
  while (queue.length && chain.length < 10) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || chain.includes(e)) continue;
    chain.push(e);
    queue.push((e as { driverError?: unknown }).driverError, (e as { cause?: unknown }).cause);
  }
  return chain;
}
