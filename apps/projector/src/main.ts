import 'reflect-metadata';
import { loadConfig } from '@timeline/config';
import { createHttpApp, listenAndLog } from '@timeline/http';
import { createLogger, onShutdownSignal, runMain } from '@timeline/observability';
import { ProjectorModule } from './projector.module.js';
import { TimelineProjector } from './timeline-projector.js';

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
  // An unrecoverable batch error: close what can be closed (nothing is committed for that batch)
  // and exit non-zero so the orchestrator restarts the process from the offsets stored in Postgres.
  app.get(TimelineProjector).onFatal(() => {
    const exit = setTimeout(() => process.exit(1), 10_000);
    exit.unref();
    void app.close().finally(() => process.exit(1));
  });
});
