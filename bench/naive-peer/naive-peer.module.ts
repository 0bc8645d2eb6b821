import { Module } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '@timeline/config';
import { StoreModule } from '@timeline/store';
import { NaiveEventsController } from './naive-events.controller.js';

/** BENCHMARK BASELINE, NOT PRODUCT CODE: the naive peer's module (TypeORM data source + the handler). */
@Module({})
export class NaivePeerModule {
  static forRoot(config: AppConfig) {
    return {
      module: NaivePeerModule,
      imports: [ConfigModule.forRoot(config), StoreModule.forRoot({ migrate: false, applicationName: 'naive-peer bench baseline' })],
      controllers: [NaiveEventsController],
    };
  }
}
