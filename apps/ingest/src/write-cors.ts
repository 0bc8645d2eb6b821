import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@timeline/config';

/**
 * CORS for writes, only for the origins in INGEST_CORS_ORIGINS — the newsroom dashboard's editor
 * mode posts `entry.merged` / `entry.split` from the browser (issue 14). It carries no cookies
 * (`credentials: false`): every write still needs an editor key in X-API-Key, which only the
 * editor typed into that page, so opening CORS to the dashboard's origin lets no other site write.
 * Closed when the list is empty.
 */
export function enableWriteCors(app: INestApplication, config: AppConfig): void {
  const origins = config.auth.writeCorsOrigins;
  if (origins.length === 0) return;
  app.enableCors({
    origin: [...origins],
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['Content-Type', 'X-API-Key', 'Authorization', 'Accept'],
    exposedHeaders: ['Location', 'Retry-After'],
    credentials: false,
    maxAge: 600,
  });
}
