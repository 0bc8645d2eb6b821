import 'reflect-metadata';
import { loadConfig } from '@timeline/config';
import { createHttpApp, listenAndLog } from '@timeline/http';
import { createLogger, onShutdownSignal, runMain } from '@timeline/observability';
import { ProjectorModule } from './projector.module.js';

runMain('projector', async () => {
  const config = loadConfig();
  const logger = createLogger('projector', config.logLevel);
  const app = await createHttpApp(ProjectorModule.forRoot(config, logger), {
    service: 'projector',
    config,
    logger,
    description: 'Projector operations: health, lag and metrics.',
  });
  await listenAndLog(app, config.ports.projector, config.host, 'projector', logger);
  onShutdownSignal(logger, () => app.close());
});
