import 'reflect-metadata';
import { loadConfig } from '@timeline/config';
import { listenAndLog } from '@timeline/http';
import { createLogger, onShutdownSignal, runMain } from '@timeline/observability';
import { createTimelineApiApp } from './timeline-api.app.js';

runMain('timeline-api', async () => {
  const config = loadConfig();
  const logger = createLogger('timeline-api', config.logLevel);
  const app = await createTimelineApiApp(config, logger);
  await listenAndLog(app, config.ports.api, config.host, 'timeline-api', logger);
  onShutdownSignal(logger, () => app.close());
});
