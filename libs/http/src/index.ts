export { clientAddress } from './client-address.js';
export { API_KEY_HEADER, API_KEY_SCHEME, ApiKeyGuard, RequireRole, hashApiKey, matchApiKey, presentedKey } from './api-key.guard.js';
export { createHttpApp, listenAndLog, openApiDocumentOf, problemResponse, type HttpAppOptions } from './http-app.js';
export { JsonBodyInterceptor, parseByteLimit } from './json-body.interceptor.js';
export { HEALTH_CHECKS, OpsController, type HealthCheck } from './ops.controller.js';
export {
  CodedError,
  DEFAULT_CODE_STATUS,
  PROBLEM_SCHEMA,
  statusForCode,
  type ProblemCode,
  type ProblemDetails,
  type ProblemField,
} from './problem.js';
export { ProblemDetailsFilter } from './problem-details.filter.js';
export { RateLimitGuard, RateLimited, type RateLimitBucket } from './rate-limit.guard.js';
export {
  ConfiguredRateLimitStore,
  MemoryRateLimitStore,
  PostgresRateLimitStore,
  RATE_LIMIT_STORE,
  type PostgresRateLimitStoreOptions,
  type RateLimitStore,
} from './rate-limit-store.js';
export { TokenBucketLimiter, type RateDecision } from './token-bucket-limiter.js';
