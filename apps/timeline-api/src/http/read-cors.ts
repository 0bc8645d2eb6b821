import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@timeline/config';

/**
 * CORS for the read API: only the origins in CORS_ORIGINS, only GET/HEAD (this app has no writes),
 * and the headers a browser client needs (keys, SSE resume, conditional GETs). Closed when the
 * list is empty: the dashboard is same-origin and needs none.
 */
export function enableReadCors(app: INestApplication, config: AppConfig): void {
  const origins = config.auth.corsOrigins;
  if (origins.length === 0) return;
  app.enableCors({
    origin: [...origins],
    methods: ['GET', 'HEAD'],
    allowedHeaders: ['X-API-Key', 'Authorization', 'Last-Event-ID', 'If-None-Match', 'Accept'],
    exposedHeaders: ['ETag', 'Retry-After', 'Content-Disposition'],
    credentials: false,
    maxAge: 600,
  });
}
