import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { LOGGER, type Logger } from '@timeline/observability';
import { createDataSource, runMigrations, type SessionTimeouts } from './data-source.js';
import { warnOnTextSearchFallback } from './text-search.js';

/** Options for {@link StoreModule.forRoot}. */
export interface StoreModuleOptions {
  /** Apply pending migrations at boot (the projector owns the schema). @default false */
  migrate?: boolean;
  /** pg application_name. */
  applicationName?: string;
  /** PostgreSQL session timeouts of every connection (the projector bounds its batch transactions). */
  sessionTimeouts?: SessionTimeouts;
}

class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

/** Provides an initialised TypeORM {@link DataSource} for the configured database and schema. */
@Global()
@Module({})
export class StoreModule {
  static forRoot(opts: StoreModuleOptions = {}): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        {
          provide: DataSource,
          inject: [APP_CONFIG, { token: LOGGER, optional: true }],
          useFactory: async (config: AppConfig, logger?: Logger) => {
            const ds = createDataSource(config.database, {
              applicationName: opts.applicationName ?? 'timeline',
              ...(opts.sessionTimeouts ? { sessionTimeouts: opts.sessionTimeouts } : {}),
              ...(logger ? { logger } : {}),
            });
            await ds.initialize();
            if (opts.migrate) await runMigrations(ds);
            // Issue 16: a database where the Hunspell files could not be installed says so at boot.
            await warnOnTextSearchFallback(ds, config.database.schema, logger);
            return ds;
          },
        },
        DataSourceCloser,
      ],
      exports: [DataSource],
    };
  }
}
