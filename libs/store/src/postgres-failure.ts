/**
 * How PostgreSQL (through node-postgres and TypeORM) reports a failed statement, in one place: the
 * projection runner's retry decision and the writer's savepoint fallback both read it from here.
 *
 * - `retriable`: the infrastructure failed (server down or restarting, connection lost, deadlock,
 *   lock/statement timeout, a session ended for idling in its transaction, a concurrent duplicate
 *   insert). Roll back and try the same work again.
 * - `data`: PostgreSQL refused a value (SQLSTATE class 22/54, e.g. a date outside its range): the
 *   event is poison after all.
 * - `fatal`: anything else with a SQLSTATE (a bug, a missing partition, permissions).
 */
export type PostgresFailureKind = 'retriable' | 'data' | 'fatal';

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

/** The error and its causes (`driverError`, `cause`), breadth first, at most 10, each once. */
export function errorChain(err: unknown): unknown[] {
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

/**
 * What ONE error of a chain says about the database, judged by its code (network errno or SQLSTATE)
 * or its type; `undefined` when it says nothing (look at its cause, or at other rules).
 */
export function postgresFailureOf(e: unknown): PostgresFailureKind | undefined {
  const o = e as { code?: unknown; name?: unknown };
  const code = typeof o.code === 'string' ? o.code : undefined;
  // Network errno first: "EPIPE" also looks like a five-character SQLSTATE.
  if (code && NETWORK_CODES.has(code)) return 'retriable';
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (RETRIABLE_SQLSTATES.has(code) || RETRIABLE_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'retriable';
    if (DATA_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'data';
    return 'fatal';
  }
  // TypeORM releases a query runner whose pg client emitted 'error' (connection lost), so the next
  // statement of that transaction fails with this instead of a connection error. The appliers never
  // use a runner after releasing it themselves, so here it always means a lost connection.
  if (o.name === 'QueryRunnerAlreadyReleasedError') return 'retriable';
  return undefined;
}

/** A lost connection told only by its message (node-postgres and the pool word some of them so). */
export function isConnectionLossMessage(e: unknown): boolean {
  const message = (e as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** True when PostgreSQL refused a value of the statement's data (SQLSTATE class 22/54), anywhere in the cause chain. */
export function isDataException(err: unknown): boolean {
  for (const e of errorChain(err)) {
    const kind = postgresFailureOf(e);
    if (kind) return kind === 'data';
  }
  return false;
}
