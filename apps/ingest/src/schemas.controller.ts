import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { eventCatalogue } from '@timeline/events';
import { RequireRole } from '@timeline/http';

/** `GET /v1/schemas`: the whole catalogue as JSON Schema, so producers can validate before sending. */
@ApiTags('events')
@RequireRole('reader')
@Controller('v1/schemas')
export class SchemasController {
  private readonly schemas = eventCatalogue.jsonSchemas();

  @Get()
  @ApiOperation({ summary: 'The event catalogue as JSON Schema: the envelope, and every version of every type' })
  @ApiOkResponse({ description: '{ $id, envelope, types: { <type>: { current, cameo, title, description, meta, versions } } }' })
  catalogue(): ReturnType<typeof eventCatalogue.jsonSchemas> {
    return this.schemas;
  }
}
