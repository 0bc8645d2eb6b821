import 'reflect-metadata';
import { loadConfig } from '@timeline/config';
import { createHttpApp, listenAndLog } from '@timeline/http';
import { createLogger, onShutdownSignal, runMain } from '@timeline/observability';
import { IngestModule } from './ingest.module.js';

runMain('ingest', async () => {
  const config = loadConfig();
  const logger = createLogger('ingest', config.logLevel);
  const app = await createHttpApp(IngestModule.forRoot(config, logger), {
    service: 'ingest',
    config,
    logger,
    description: 'Publishes validated crisis events to Kafka (write side).',
  });
  await listenAndLog(app, config.ports.ingest, config.host, 'ingest', logger);
  onShutdownSignal(logger, () => app.close());
});
