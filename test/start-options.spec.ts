import { instancePlan, parseStartArgs } from '../tools/start-options.js';

describe('npm start --projectors N --api-replicas M', () => {
  it('defaults to one process of each app', () => {
    expect(parseStartArgs([])).toEqual({ projectors: 1, apiReplicas: 1 });
    expect(instancePlan({ projectors: 1, apiReplicas: 1 }, { api: 3000, ingest: 3001, projector: 3002 }, 'ct')).toEqual([
      { name: 'projector', app: 'projector', port: 3002, env: { PROJECTOR_PORT: '3002' } },
      { name: 'ingest', app: 'ingest', port: 3001, env: { INGEST_PORT: '3001' } },
      { name: 'timeline-api', app: 'timeline-api', port: 3000, env: { API_PORT: '3000' } },
    ]);
  });

  it('reads both flags, with a space or "="', () => {
    expect(parseStartArgs(['--projectors', '3', '--api-replicas=2'])).toEqual({ projectors: 3, apiReplicas: 2 });
  });

  it.each([[['--projectors']], [['--projectors', '0']], [['--api-replicas', 'x']], [['--replicas', '2']]])('refuses %j', (argv) => {
    expect(() => parseStartArgs(argv)).toThrow(/--/);
  });

  it('puts instance i on the port + 100·(i−1), one client id per projector, and keeps port 0 as 0', () => {
    const plan = instancePlan({ projectors: 3, apiReplicas: 2 }, { api: 3000, ingest: 3001, projector: 3002 }, 'ct');
    expect(plan.map((p) => [p.name, p.port])).toEqual([
      ['projector', 3002],
      ['projector-2', 3102],
      ['projector-3', 3202],
      ['ingest', 3001],
      ['timeline-api', 3000],
      ['timeline-api-2', 3100],
    ]);
    expect(plan.filter((p) => p.app === 'projector').map((p) => p.env.KAFKA_CLIENT_ID)).toEqual(['ct-p1', 'ct-p2', 'ct-p3']);
    expect(new Set(plan.map((p) => p.port)).size).toBe(plan.length);
    expect(instancePlan({ projectors: 2, apiReplicas: 2 }, { api: 0, ingest: 0, projector: 0 }, 'ct').map((p) => p.port)).toEqual([
      0, 0, 0, 0, 0,
    ]);
  });
});
