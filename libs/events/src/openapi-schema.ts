import type { TSchema } from '@sinclair/typebox';
import type { EventCatalogue } from './catalogue.js';
import { eventCatalogue } from './registry.js';

/**
 * Deep copy of a catalogue JSON Schema (TypeBox, draft 2019-09 keywords) in the OpenAPI 3.0 Schema
 * Object dialect, which client generators and `redocly lint` read (issue 18):
 * - `$id`/`$schema` dropped (3.0 knows neither);
 * - `const: x` → `enum: [x]`, and an `anyOf` whose branches are all one-value enums of one type
 *   (TypeBox's `Union([Literal…])`) → one `{ type, enum: [...] }`, which generators turn into a union type;
 * - numeric `exclusiveMinimum: n` / `exclusiveMaximum: n` (draft 6+) → `minimum: n` +
 *   `exclusiveMinimum: true` (3.0 / draft 4: a boolean beside the bound).
 */
export function toOpenApi30Schema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApi30Schema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$id' || k === '$schema') continue;
    if (k === 'const') out.enum = [v];
    else if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'number') {
      out[k === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = v;
      out[k] = true;
    } else out[k] = toOpenApi30Schema(v);
  }
  const anyOf = out.anyOf as Record<string, unknown>[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every(isLiteral) && new Set(anyOf.map((b) => b.type)).size === 1) {
    delete out.anyOf;
    out.type = anyOf[0]!.type;
    out.enum = anyOf.map((b) => (b.enum as unknown[])[0]);
  }
  return out;
}

function isLiteral(branch: Record<string, unknown>): boolean {
  const keys = Object.keys(branch);
  return Array.isArray(branch.enum) && branch.enum.length === 1 && keys.every((k) => k === 'enum' || k === 'type');
}

/** What {@link ingestInputSchemas} returns. */
export interface IngestInputSchemas {
  /** One named schema per type (current version), e.g. `ReadinessRaisedInput`, for `components.schemas`. */
  readonly components: Record<string, TSchema>;
  /** `oneOf` of `$ref`s to {@link components} with a `discriminator` on `type` (its `mapping` names every type). */
  readonly oneOf: TSchema;
}

/** `readiness.raised` → `ReadinessRaisedInput`: the component name of a type's ingest input schema. */
export function ingestInputSchemaName(type: string): string {
  return `${type
    .split(/[._-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}Input`;
}

/**
 * OpenAPI 3.0 schemas of what `POST /v1/events` accepts: one named branch per type (current version)
 * with `eventId` and `schemaVersion` optional and `recordedAt` absent (server-owned), and a
 * discriminated `oneOf` over them. Named branches are what lets a `discriminator` select one
 * (Redocly's `no-illogical-composition-keywords`; generators emit one type per branch).
 * @param refPrefix where the components will live. @default "#/components/schemas/"
 */
export function ingestInputSchemas(refPrefix = '#/components/schemas/', catalogue: EventCatalogue = eventCatalogue): IngestInputSchemas {
  const all = catalogue.jsonSchemas();
  const components: Record<string, TSchema> = {};
  const mapping: Record<string, string> = {};
  for (const [type, t] of Object.entries(all.types)) {
    const schema = toOpenApi30Schema(t.versions[`v${t.current}`]) as {
      properties: Record<string, unknown>;
      required?: string[];
      description?: string;
      title?: string;
    };
    delete schema.properties.recordedAt;
    schema.required = (schema.required ?? []).filter((f) => !['eventId', 'schemaVersion', 'recordedAt'].includes(f));
    schema.title = `${type} (v${t.current})`;
    schema.description = `${type}: ${t.description}`;
    const example = catalogue.get(type)?.example;
    if (example) schema.properties.payload = { ...(schema.properties.payload as object), example };
    const name = ingestInputSchemaName(type);
    components[name] = schema as unknown as TSchema;
    mapping[type] = `${refPrefix}${name}`;
  }
  const oneOf = {
    oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
    discriminator: { propertyName: 'type', mapping },
  };
  return { components, oneOf: oneOf as unknown as TSchema };
}
