export { NestPinoLogger, createLogger, type Logger } from './logger.js';
export { createMetricsRegistry } from './metrics.js';
export { onShutdownSignal } from './shutdown.js';
export { runMain } from './run-main.js';
export { LOGGER, METRICS_REGISTRY, ObservabilityModule } from './observability.module.js';
