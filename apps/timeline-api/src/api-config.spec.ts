import { ConfigError, loadConfig } from '@timeline/config';

/** The read API's settings in libs/config (API_CURSOR_SECRET, API_STREAM_*). */
describe('read API configuration', () => {
  const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/db' };

  it('has documented defaults', () => {
    const c = loadConfig(base);
    expect(c.api).toEqual({ streamMaxPerClient: 5, streamMaxTotal: 1000, streamHeartbeatMs: 15_000, embedOrigins: [] });
  });

  it('reads the settings', () => {
    const c = loadConfig({
      ...base,
      API_CURSOR_SECRET: 's'.repeat(40),
      API_STREAM_MAX_PER_CLIENT: '2',
      API_STREAM_MAX_TOTAL: '40',
      API_STREAM_HEARTBEAT_SECONDS: '3',
    });
    expect(c.api).toEqual({
      cursorSecret: 's'.repeat(40),
      streamMaxPerClient: 2,
      streamMaxTotal: 40,
      streamHeartbeatMs: 3000,
      embedOrigins: [],
    });
  });

  it.each([
    [{ API_CURSOR_SECRET: 'short' }, 'API_CURSOR_SECRET'],
    [{ API_STREAM_MAX_PER_CLIENT: '0' }, 'API_STREAM_MAX_PER_CLIENT'],
    [{ API_STREAM_HEARTBEAT_SECONDS: 'often' }, 'API_STREAM_HEARTBEAT_SECONDS'],
    [{ API_STREAM_HEARTBEAT_SECONDS: '0' }, 'API_STREAM_HEARTBEAT_SECONDS'],
  ])('rejects %j naming %s, without echoing a secret', (env, variable) => {
    let caught: unknown;
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect(String(caught)).not.toContain('short');
  });
});
