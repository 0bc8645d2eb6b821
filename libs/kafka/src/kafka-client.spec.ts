import { logLevel } from 'kafkajs';
import { effectiveLogLevel } from './kafka-client.js';

const connectionError = (error: string) => ({
  level: logLevel.ERROR,
  namespace: 'Connection',
  log: { timestamp: '', logger: 'kafkajs', message: 'Response GroupCoordinator(key: 10, version: 2)', error },
});

describe('effectiveLogLevel', () => {
  it('writes the coordinator errors every fresh cluster and leader change answers, which kafkajs retries, as warnings', () => {
    expect(effectiveLogLevel(connectionError('The group coordinator is not available'))).toBe(logLevel.WARN);
    expect(effectiveLogLevel(connectionError("The coordinator is loading and hence can't process requests for this group"))).toBe(
      logLevel.WARN,
    );
    expect(effectiveLogLevel(connectionError('This is not the correct coordinator for this group'))).toBe(logLevel.WARN);
  });

  it('keeps every other error an error', () => {
    expect(effectiveLogLevel(connectionError('Not authorized to access topics: [Topic authorization failed]'))).toBe(logLevel.ERROR);
    expect(effectiveLogLevel({ ...connectionError('The group coordinator is not available'), namespace: 'Consumer' })).toBe(logLevel.ERROR);
    expect(effectiveLogLevel({ ...connectionError('x'), level: logLevel.INFO })).toBe(logLevel.INFO);
  });
});
