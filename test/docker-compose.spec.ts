import fs from 'node:fs';
import path from 'node:path';
import { YAML11_SCHEMA, load } from 'js-yaml';
import { ROOT } from './support/app-process.js';

type Service = { environment?: Record<string, unknown>; depends_on?: Record<string, unknown>; image?: string };
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** Merges an override file into a base file the way `docker compose -f a -f b` does for these keys. */
function merged(base: Compose, override: Compose): Compose {
  const services: Record<string, Service> = { ...base.services };
  for (const [name, o] of Object.entries(override.services)) {
    const b = services[name] ?? {};
    services[name] = {
      ...b,
      ...o,
      environment: { ...b.environment, ...o.environment },
      depends_on: { ...b.depends_on, ...o.depends_on },
    };
  }
  return { services, volumes: { ...base.volumes, ...override.volumes } };
}

// YAML 1.1 merge keys (`<<: *anchor`), as Compose reads them.
const read = (file: string) => load(fs.readFileSync(path.join(ROOT, file), 'utf8'), { schema: YAML11_SCHEMA }) as Compose;

/** Docker cannot run here: this keeps the three-broker compose layout consistent by reading it. */
describe('docker-compose.cluster.yml (three brokers)', () => {
  const c = merged(read('docker-compose.yml'), read('docker-compose.cluster.yml'));
  const nodes = ['kafka', 'kafka-2', 'kafka-3'].map((n) => ({ name: n, env: c.services[n]!.environment! }));

  it('runs three KRaft nodes with distinct ids, one cluster id and one 3-voter quorum naming them', () => {
    expect(nodes.map((n) => n.env.KAFKA_NODE_ID)).toEqual([1, 2, 3]);
    expect(new Set(nodes.map((n) => n.env.CLUSTER_ID)).size).toBe(1);
    for (const n of nodes) {
      expect(n.env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093');
      expect(n.env.KAFKA_ADVERTISED_LISTENERS).toBe(`PLAINTEXT://${n.name}:9092`);
      expect(n.env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(3);
      expect(n.env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe(2);
      expect(n.env.KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE).toBe('false');
      expect(c.services[n.name]!.image).toBe(c.services.kafka!.image);
    }
  });

  it('points every app at the three brokers and starts it after all of them are healthy', () => {
    for (const app of ['db-setup', 'projector', 'ingest', 'timeline-api', 'seed']) {
      const s = c.services[app]!;
      expect({ app, brokers: s.environment!.KAFKA_BROKERS }).toEqual({ app, brokers: 'kafka:9092,kafka-2:9092,kafka-3:9092' });
      expect(Object.keys(s.depends_on!)).toEqual(expect.arrayContaining(['kafka-2', 'kafka-3']));
      // The app's own variables from the base file survive the merge (e.g. the projector's writer role).
      expect(s.environment!.NODE_ENV).toBe('production');
    }
    expect(String(c.services.projector!.environment!.DATABASE_URL)).toContain('timeline_writer');
  });

  it('gives each node its own data volume', () => {
    expect(Object.keys(c.volumes!)).toEqual(expect.arrayContaining(['kafka-data', 'kafka-2-data', 'kafka-3-data']));
  });
});
