export { ConfigError } from './config-error.js';
export { EnvReader, parseBrokers, parseDatabaseUrl, parseSchemaName } from './env-parsers.js';
export {
  KAFKA_COMPRESSIONS,
  ROLES,
  loadConfig,
  parseApiKeys,
  type ApiKeyEntry,
  type ApiConfig,
  type AppConfig,
  type AuthConfig,
  type DatabaseConfig,
  type KafkaCompression,
  type KafkaConfig,
  type LoadConfigOptions,
  type ProjectorConfig,
  type RateLimitConfig,
  type Role,
} from './app-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
