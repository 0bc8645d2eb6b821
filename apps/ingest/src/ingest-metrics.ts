import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@timeline/observability';

/** Prometheus metrics of the write path. Labels are bounded: catalogue types and error codes only. */
@Injectable()
export class IngestMetrics {
  /** Events Kafka acknowledged, by type. */
  readonly accepted: Counter<'type'>;
  /** Events refused (validation, Kafka unavailable), by error code. */
  readonly rejected: Counter<'code'>;
  /** Time from send to Kafka acknowledgement, per request. */
  readonly publishSeconds: Histogram<'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.accepted = new Counter({
      name: 'timeline_ingest_events_accepted_total',
      help: 'Events published to Kafka and acknowledged',
      labelNames: ['type'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'timeline_ingest_events_rejected_total',
      help: 'Events refused: invalid (EVENT.*), in an invalid batch (EVENT.INVALID_BATCH) or not acknowledged by Kafka (UNAVAILABLE.KAFKA)',
      labelNames: ['code'],
      registers: [registry],
    });
    this.publishSeconds = new Histogram({
      name: 'timeline_ingest_publish_duration_seconds',
      help: 'Kafka publish latency per request (one send per request), until all in-sync replicas acknowledged',
      labelNames: ['outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }
}
