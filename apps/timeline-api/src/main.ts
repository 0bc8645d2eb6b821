import 'reflect-metadata';
import { loadConfig } from '@timeline/config';
import { createHttpApp, listenAndLog } from '@timeline/http';
import { createLogger, onShutdownSignal, runMain } from '@timeline/observability';
import { DASHBOARD_HELMET, serveDashboard } from './dashboard-assets.js';
import { enableReadCors } from './http/read-cors.js';
import { TimelineApiModule } from './timeline-api.module.js';

runMain('timeline-api', async () => {
  const config = loadConfig();
  const logger = createLogger('timeline-api', config.logLevel);
  const app = await createHttpApp(TimelineApiModule.forRoot(config, logger), {
    service: 'timeline-api',
    config,
    logger,
    description: 'Chronological, queryable timeline of the crisis: entries, history, stats, exports and a live stream.',
    helmetOptions: DASHBOARD_HELMET,
  });
  enableReadCors(app, config);
  serveDashboard(app);
  await listenAndLog(app, config.ports.api, config.host, 'timeline-api', logger);
  onShutdownSignal(logger, () => app.close());
});
