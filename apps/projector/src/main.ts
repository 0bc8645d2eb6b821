import 'reflect-metadata';
import { loadConfig } from '@timeline/config';
import { createHttpApp, listenAndLog } from '@timeline/http';
import { createLogger, onShutdownSignal, runMain } from '@timeline/observability';
import { ProjectionRunner } from '@timeline/projection';
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
  // An unrecoverable batch error, or a consumer that could not join the group: close what can be closed
  // (nothing is committed for that batch) and exit non-zero so the orchestrator restarts the process
  // from the offsets stored in Postgres. Registered before listening: the consumer starts with it.
  app.get(ProjectionRunner).onFatal(() => {
    const exit = setTimeout(() => process.exit(1), 10_000);
    exit.unref();
    void app.close().finally(() => process.exit(1));
  });
  onShutdownSignal(logger, () => app.close());
  // Listening starts the consumer without waiting for the group join: /health answers 503 "joining" until then.
  await listenAndLog(app, config.ports.projector, config.host, 'projector', logger);
});
