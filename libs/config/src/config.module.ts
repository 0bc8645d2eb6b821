import { Global, Module, type DynamicModule } from '@nestjs/common';
import { loadConfig, type AppConfig } from './app-config.js';

/** Injection token of the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol.for('timeline.AppConfig');

/** Provides the validated configuration to every module (read once at boot). */
@Global()
@Module({})
export class ConfigModule {
  /** Registers an already-loaded config (tests pass their own); defaults to `loadConfig(process.env)`. */
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
