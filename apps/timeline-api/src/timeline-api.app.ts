import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@timeline/config';
import { createHttpApp } from '@timeline/http';
import type { Logger } from '@timeline/observability';
import { dashboardHelmet, serveDashboard } from './dashboard-assets.js';
import { enableReadCors } from './http/read-cors.js';
import { TimelineApiModule, type TimelineApiModuleOptions } from './timeline-api.module.js';

/** The timeline API as `main.ts` runs it (tests boot the very same app in-process). */
export async function createTimelineApiApp(
  config: AppConfig,
  logger: Logger,
  opts: TimelineApiModuleOptions & { readonly preview?: boolean } = {},
): Promise<NestExpressApplication> {
  const { preview, ...moduleOptions } = opts;
  const app = await createHttpApp(TimelineApiModule.forRoot(config, logger, moduleOptions), {
    service: 'timeline-api',
    config,
    logger,
    description: 'Chronological, queryable timeline of the crisis: entries, history, stats, exports and a live stream.',
    helmetOptions: dashboardHelmet(config.api.embedOrigins, config.api.ingestPublicUrl),
    ...(preview ? { preview } : {}),
  });
  enableReadCors(app, config);
  serveDashboard(app, { ingestUrl: config.api.ingestPublicUrl ?? null });
  return app;
}
