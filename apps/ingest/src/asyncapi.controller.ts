import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@timeline/config';
import { RequireRole } from '@timeline/http';
import { asyncApiDocument } from '@timeline/kafka';

/**
 * `GET /asyncapi.json`: the AsyncAPI 3.0 document of the Kafka topics (issue 18). Ingest serves it
 * because it owns the write contract: it is the app that publishes to the topic, knows its
 * configuration, and already serves the catalogue (`/v1/schemas`) whose schemas the document embeds.
 */
@ApiTags('events')
@RequireRole('reader')
@Controller()
export class AsyncApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = asyncApiDocument(config.kafka, { projectorGroup: config.projector.groupId });
  }

  @Get('asyncapi.json')
  @ApiOperation({
    summary: 'AsyncAPI 3.0 document of the event topic and its dead-letter topic',
    description:
      'Channels, key, headers (routing and CloudEvents ce_*), one message per event type and schema version (the JSON Schemas of GET /v1/schemas), and the dead-letter reason codes.',
  })
  @ApiOkResponse({ description: 'An AsyncAPI 3.0.0 document (JSON).' })
  asyncapi(): Record<string, unknown> {
    return this.document;
  }
}
