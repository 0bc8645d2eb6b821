import type { Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from '@timeline/observability';

/**
 * TypeORM's own logging, routed into the service's JSON logs. The default console logger prints
 * multi-line plain text with every bound parameter — for the projector's bulk statements, whole
 * batches of events — which breaks one-JSON-object-per-line logs and floods them during an outage.
 * Failed statements are logged at debug with the first 300 characters of SQL and no parameters;
 * the projector logs the failure it acts on itself.
 */
export class TypeOrmPinoLogger implements TypeOrmLogger {
  constructor(private readonly logger: Logger) {}

  logQuery(): void {
    // Successful statements are not logged (the bulk writer's are large and frequent).
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug(
      { component: 'typeorm', err: error instanceof Error ? error.message : error, query: query.slice(0, 300) },
      'statement failed',
    );
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ component: 'typeorm', ms: time, query: query.slice(0, 300) }, 'slow statement');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug({ component: 'typeorm' }, message);
  }

  logMigration(message: string): void {
    this.logger.info({ component: 'typeorm' }, message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    if (level === 'warn') this.logger.warn({ component: 'typeorm' }, text);
    else this.logger.debug({ component: 'typeorm' }, text);
  }
}
