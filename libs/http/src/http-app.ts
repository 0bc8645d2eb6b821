import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type SchemaObject } from '@nestjs/swagger';
import helmet from 'helmet';
import type { AppConfig } from '@timeline/config';
import { NestPinoLogger, type Logger } from '@timeline/observability';
import { JsonBodyInterceptor, parseByteLimit } from './json-body.interceptor.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { API_KEY_HEADER, API_KEY_SCHEME, REQUIRED_ROLE_EXTENSION } from './api-key.guard.js';
import { DEFAULT_CODE_STATUS, PROBLEM_SCHEMA } from './problem.js';

/** Options for {@link createHttpApp}. */
export interface HttpAppOptions {
  /** Service name for logs and the OpenAPI title. */
  service: string;
  config: AppConfig;
  logger: Logger;
  /** Largest accepted JSON body. @default "1mb" */
  bodyLimit?: string;
  /** OpenAPI description. */
  description?: string;
  /** Extra code→status entries for the problem filter. */
  codeStatus?: Record<string, number>;
  /** Customise helmet (the dashboard needs its own CSP). */
  helmetOptions?: Parameters<typeof helmet>[0];
  /** Named schemas added to the OpenAPI `components.schemas` (what `$ref`s and discriminators point at). */
  openApiSchemas?: Record<string, SchemaObject>;
  /**
   * Nest's preview mode: the module graph is read but no provider is created (no database or
   * Kafka connection), enough for {@link openApiDocumentOf} — how the dashboard's client types are
   * generated without infrastructure. Such an app cannot serve requests. @default false
   */
  preview?: boolean;
}

/** The OpenAPI document each app built by {@link createHttpApp} serves at /docs-json. */
const DOCUMENTS = new WeakMap<INestApplication, OpenAPIObject>();

/** The OpenAPI document `app` serves at /docs-json (undefined for an app not built by {@link createHttpApp}). */
export function openApiDocumentOf(app: INestApplication): OpenAPIObject | undefined {
  return DOCUMENTS.get(app);
}

/**
 * Builds a Nest HTTP app with the house defaults: structured logging, problem+json errors,
 * helmet headers, a JSON body limit, OpenAPI at /docs (JSON at /docs-json), shutdown hooks.
 */
export async function createHttpApp(module: Type<unknown> | DynamicModule, opts: HttpAppOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: new NestPinoLogger(opts.logger),
    bodyParser: false,
    // Let boot failures reach runMain (one-line message) instead of Nest's own process.exit.
    abortOnError: false,
    preview: opts.preview ?? false,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet(opts.helmetOptions));
  // No body-parser middleware: JSON bodies are read after the guards (auth before work, issue 19).
  app.useGlobalInterceptors(new JsonBodyInterceptor(parseByteLimit(opts.bodyLimit ?? '1mb')));
  app.useGlobalFilters(new ProblemDetailsFilter(opts.logger, { ...DEFAULT_CODE_STATUS, ...opts.codeStatus }));
  setupOpenApi(app, opts);
  return app;
}

function setupOpenApi(app: INestApplication, opts: HttpAppOptions): void {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Crisis timeline — ${opts.service}`)
      .setDescription(opts.description ?? '')
      .setVersion('1')
      // Relative: the document is right for whichever host and port it was fetched from.
      .addServer('/', 'This server (the one that served this document)')
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
      .build(),
  );
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...opts.openApiSchemas } };
  applySecurity(doc, opts.config.auth.readAccess);
  // Only where something refers to it (an unused component is a lint warning).
  if (JSON.stringify(doc.paths).includes(PROBLEM_REF)) doc.components.schemas!.Problem = PROBLEM_SCHEMA;
  DOCUMENTS.set(app, doc);
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
}

/**
 * Declares on every operation what the {@link ApiKeyGuard} enforces (issue 18), from the
 * `x-required-role` that {@link RequireRole} leaves on it: none → `security: []` (open);
 * `reader` with READ_ACCESS=public → `[{}, { apiKey: [] }]` (the key is optional); any other role →
 * `[{ apiKey: [] }]` plus the 401 (and, above reader, 403) answers the guard gives.
 */
function applySecurity(doc: OpenAPIObject, readAccess: 'public' | 'key'): void {
  for (const item of Object.values(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (!op) continue;
      const role = (op as unknown as Record<string, unknown>)[REQUIRED_ROLE_EXTENSION] as string | undefined;
      if (!role) {
        op.security = [];
        continue;
      }
      const optional = role === 'reader' && readAccess === 'public';
      op.security = optional ? [{}, { [API_KEY_SCHEME]: [] }] : [{ [API_KEY_SCHEME]: [] }];
      if (optional) continue;
      op.responses['401'] ??= problemResponse(`No API key in ${API_KEY_HEADER}, or an unknown one (AUTH.MISSING_KEY, AUTH.INVALID_KEY).`);
      if (role !== 'reader') op.responses['403'] ??= problemResponse(`The key's role is weaker than "${role}" (AUTH.FORBIDDEN).`);
    }
  }
}

const PROBLEM_REF = '#/components/schemas/Problem';

/** An OpenAPI response of `application/problem+json` ({@link PROBLEM_SCHEMA}, as `components.schemas.Problem`). */
export function problemResponse(description: string): { description: string; content: Record<string, { schema: { $ref: string } }> } {
  return { description, content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } } };
}

/** Listens on host:port (0 = any free port) and logs `<service> listening` with the real URL. */
export async function listenAndLog(app: INestApplication, port: number, host: string, service: string, logger: Logger): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, `${service} listening`);
  return url;
}
