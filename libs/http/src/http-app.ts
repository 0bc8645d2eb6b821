import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { AppConfig } from '@timeline/config';
import { NestPinoLogger, type Logger } from '@timeline/observability';
import { JsonBodyInterceptor, parseByteLimit } from './json-body.interceptor.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { DEFAULT_CODE_STATUS } from './problem.js';

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
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
      .build(),
  );
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
}

/** Listens on host:port (0 = any free port) and logs `<service> listening` with the real URL. */
export async function listenAndLog(app: INestApplication, port: number, host: string, service: string, logger: Logger): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, `${service} listening`);
  return url;
}
