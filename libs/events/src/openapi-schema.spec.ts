import { eventCatalogue, ingestInputSchemaName, ingestInputSchemas, toOpenApi30Schema } from './index.js';

describe('toOpenApi30Schema', () => {
  it('rewrites draft 2019-09 keywords into the OpenAPI 3.0 dialect', () => {
    const converted = toOpenApi30Schema({
      $id: 'urn:x',
      type: 'object',
      properties: {
        days: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 366 },
        kind: { const: 'a', type: 'string' },
        level: {
          anyOf: [
            { const: 'low', type: 'string' },
            { const: 'high', type: 'string' },
          ],
          description: 'how high',
        },
        mixed: { anyOf: [{ const: 1, type: 'number' }, { type: 'string' }] },
      },
    });
    expect(converted).toEqual({
      type: 'object',
      properties: {
        days: { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 366, exclusiveMaximum: true },
        kind: { enum: ['a'], type: 'string' },
        level: { type: 'string', enum: ['low', 'high'], description: 'how high' },
        mixed: { anyOf: [{ enum: [1], type: 'number' }, { type: 'string' }] },
      },
    });
  });
});

describe('ingestInputSchemas', () => {
  const { components, oneOf } = ingestInputSchemas();
  const branches = Object.values(components) as unknown as { properties: Record<string, unknown>; required: string[] }[];

  it('offers one named branch per type, with eventId optional and recordedAt absent', () => {
    expect(Object.keys(components)).toEqual(eventCatalogue.typeNames().map(ingestInputSchemaName));
    expect(components.ReadinessRaisedInput).toBeDefined();
    for (const b of branches) {
      expect(b.properties).not.toHaveProperty('recordedAt');
      expect(b.required).not.toContain('eventId');
      expect(b.required).toEqual(expect.arrayContaining(['type', 'occurredAt', 'storyId', 'payload', 'summary']));
    }
  });

  it('discriminates on type with a mapping to every branch', () => {
    const s = oneOf as unknown as { oneOf: { $ref: string }[]; discriminator: { propertyName: string; mapping: Record<string, string> } };
    expect(s.discriminator.propertyName).toBe('type');
    expect(Object.keys(s.discriminator.mapping)).toEqual(eventCatalogue.typeNames());
    expect(s.oneOf.map((r) => r.$ref)).toEqual(Object.values(s.discriminator.mapping));
    expect(s.discriminator.mapping['readiness.raised']).toBe('#/components/schemas/ReadinessRaisedInput');
  });

  it('is OpenAPI 3.0: no const, $id or numeric exclusive bounds', () => {
    const text = JSON.stringify(components);
    expect(text).not.toContain('"const"');
    expect(text).not.toContain('"$id"');
    expect(text).not.toMatch(/"exclusive(Minimum|Maximum)":-?\d/);
  });
});
