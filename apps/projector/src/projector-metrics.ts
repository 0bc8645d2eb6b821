import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchResult, MessageOutcome, ProjectionRunnerMetrics } from '@timeline/projection';
import type { ProjectionLag } from './projection-lag.js';

/** Prometheus metrics of the projector (`/metrics`), fed by the projection runner. */
export class ProjectorMetrics implements ProjectionRunnerMetrics {
  /** Events that changed the projection (entries created, corrections/retractions applied). */
  readonly applied: Counter<'projection'>;
  /** Every message handled, by outcome. */
  readonly messagesByOutcome: Counter<'outcome'>;
  /** Batch transactions, by result: committed, gap (seek back), behind (seek ahead), retried, failed. */
  readonly batches: Counter<'result'>;
  /** Wall time of one batch transaction, from BEGIN to COMMIT (or rollback). */
  readonly batchDuration: Histogram<'result'>;
  /** Messages sent to the dead-letter topic, by reason code. */
  readonly deadLetters: Counter<'reason_code'>;
  /** Batch attempts that failed and will be retried (Postgres/Kafka outages). */
  readonly retries: Counter<'kind'>;
  /** 1 per partition parked at a record batch that cannot be decoded (issue 11), by cause. */
  readonly parkedPartitions: Gauge<'partition' | 'cause'>;

  constructor(registry: Registry, lag: ProjectionLag) {
    this.applied = new Counter({
      name: 'timeline_projector_events_applied_total',
      help: 'Events applied to the read model (entries created, corrections and retractions applied).',
      labelNames: ['projection'],
      registers: [registry],
    });
    this.messagesByOutcome = new Counter({
      name: 'timeline_projector_messages_total',
      help: 'Kafka messages handled, by outcome (applied, duplicate, deferred, dead_lettered, fenced).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.batches = new Counter({
      name: 'timeline_projector_batches_total',
      help: 'Batch transactions by result (committed, gap, behind, retried, failed).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.batchDuration = new Histogram({
      name: 'timeline_projector_batch_duration_seconds',
      help: 'Duration of one batch transaction (per partition), BEGIN to COMMIT or ROLLBACK.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'timeline_projector_dead_letters_total',
      help: 'Messages published to the dead-letter topic, by reason code.',
      labelNames: ['reason_code'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'timeline_projector_retries_total',
      help: 'Failed batch attempts that will be retried after a backoff (infrastructure outages).',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.parkedPartitions = new Gauge({
      name: 'timeline_projector_parked_partitions',
      help: 'Partitions parked at a record batch that cannot be decoded (1 each; see /health and `cli skip`).',
      labelNames: ['partition', 'cause'],
      registers: [registry],
    });
    new Gauge({
      name: 'timeline_projector_lag_messages',
      help: 'Per-partition lag of the active projection: high watermark minus the next offset stored in Postgres.',
      labelNames: ['partition'],
      registers: [registry],
      async collect() {
        try {
          const m = await lag.measure();
          this.reset();
          for (const p of m.partitions) this.set({ partition: String(p.partition) }, p.lag);
        } catch {
          // Unknown lag is absent, not zero: an alert on absent() notices, a zero would hide the outage.
          this.reset();
        }
      },
    });
  }

  batch(result: BatchResult, seconds: number): void {
    this.batches.inc({ result });
    this.batchDuration.observe({ result }, seconds);
  }

  retry(kind: 'kafka' | 'postgres'): void {
    this.retries.inc({ kind });
  }

  messages(outcome: MessageOutcome, n: number): void {
    this.messagesByOutcome.inc({ outcome }, n);
  }

  eventsApplied(projection: string, n: number): void {
    this.applied.inc({ projection }, n);
  }

  deadLettered(reasonCode: string): void {
    this.deadLetters.inc({ reason_code: reasonCode });
  }
}
