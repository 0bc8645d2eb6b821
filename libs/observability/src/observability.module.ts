import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { createMetricsRegistry } from './metrics.js';

/** Injection token of the service's pino logger. */
export const LOGGER = Symbol.for('timeline.Logger');
/** Injection token of the service's Prometheus registry. */
export const METRICS_REGISTRY = Symbol.for('timeline.MetricsRegistry');

/** Provides the structured logger and the metrics registry to every module. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(service: string, logger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(service) },
      ],
      exports: [LOGGER, METRICS_REGISTRY],
    };
  }
}
