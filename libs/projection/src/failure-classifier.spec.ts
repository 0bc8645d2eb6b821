import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { KafkaPublishError } from '@timeline/kafka';
import { classifyFailure } from './failure-classifier.js';

const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });
/** The shape TypeORM throws: the driver error's fields copied onto it, the original kept as driverError. */
const typeorm = (driverError: Error) =>
  Object.assign(new Error(driverError.message), { ...driverError, driverError, name: 'QueryFailedError' });

describe('classifyFailure', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['connection lost mid-query', typeorm(new Error('Connection terminated unexpectedly'))],
    ['write to a closed socket (EPIPE looks like a SQLSTATE)', typeorm(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))],
    ['admin shutdown', typeorm(pg('57P01', 'terminating connection due to administrator command'))],
    ['deadlock', typeorm(pg('40P01'))],
    ['statement timeout', pg('57014')],
    [
      'lock timeout (a successor waiting on the fence of a frozen instance)',
      typeorm(pg('55P03', 'canceling statement due to lock timeout')),
    ],
    [
      'session ended for idling in its transaction (a frozen instance resumed)',
      typeorm(pg('25P03', 'terminating connection due to idle-in-transaction timeout')),
    ],
    ['too many connections', pg('53300')],
    ['concurrent duplicate insert', typeorm(pg('23505'))],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    [
      'query runner released by TypeORM after its connection died',
      Object.assign(new Error('Query runner already released'), { name: 'QueryRunnerAlreadyReleasedError' }),
    ],
    ['kafka outage', new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error'), { retryCount: 5, retryTime: 1 })],
    ['DLQ send failed', new KafkaPublishError('not acknowledged', { cause: new Error('x') })],
  ])('%s → retriable', (_name, err) => {
    expect(classifyFailure(err)).toBe('retriable');
  });

  it.each([
    ['date out of range', typeorm(pg('22008', 'date/time field value out of range'))],
    ['bad unicode escape in jsonb', typeorm(pg('22P05'))],
    ['NUL byte in text', pg('22021')],
    ['index row too big', pg('54000')],
  ])('%s → data (isolate and dead-letter the message)', (_name, err) => {
    expect(classifyFailure(err)).toBe('data');
  });

  it.each([
    ['no partition for the projection', typeorm(pg('23514', 'no partition of relation "timeline_entries" found for row'))],
    ['permission denied', pg('42501')],
    ['undefined column (a bug)', pg('42703')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['DLQ refused as too large', new KafkaPublishError('too large', { cause: new Error('x'), tooLarge: true })],
  ])('%s → fatal', (_name, err) => {
    expect(classifyFailure(err)).toBe('fatal');
  });
});
