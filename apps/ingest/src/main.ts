import 'reflect-metadata';
import { loadConfig } from '@timeline/config';
import { createHttpApp, listenAndLog } from '@timeline/http';
import { createLogger, onShutdownSignal, runMain } from '@timeline/observability';
import { INGEST_OPENAPI_SCHEMAS } from './ingest-openapi.js';
import { IngestModule } from './ingest.module.js';
import { enableWriteCors } from './write-cors.js';

/**
 * Largest accepted request body. A batch is one Kafka record batch on one partition when its events
 * share a story, and the events topic accepts 2 MiB per record batch (topics.ts): 1 MiB of JSON
 * leaves room for the fields ingest adds (eventId, recordedAt, headers) — so a 2 MB body is a 413.
 */
const INGEST_BODY_LIMIT = '1mb';

runMain('ingest', async () => {
  // Ingest needs Kafka; PostgreSQL only for the best-effort eventId conflict check (issue 12: per-app config).
  const config = loadConfig(process.env, { database: 'optional' });
  const logger = createLogger('ingest', config.logLevel);
  const app = await createHttpApp(IngestModule.forRoot(config, logger), {
    service: 'ingest',
    config,
    logger,
    bodyLimit: INGEST_BODY_LIMIT,
    codeStatus: { 'REQUEST.UNSUPPORTED_MEDIA_TYPE': 415 },
    openApiSchemas: INGEST_OPENAPI_SCHEMAS,
    description:
      'Publishes validated crisis events to Kafka (write side). Writes need an API key with the editor role in X-API-Key. The event catalogue is at GET /v1/schemas; docs/events.md describes every type.',
  });
  enableWriteCors(app, config);
  await listenAndLog(app, config.ports.ingest, config.host, 'ingest', logger);
  onShutdownSignal(logger, () => app.close());
});
