import { Registry, collectDefaultMetrics } from 'prom-client';

/** A per-process Prometheus registry with default Node metrics (RSS, event-loop lag, GC) labelled by service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
