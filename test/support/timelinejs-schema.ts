/**
 * TimelineJS's documented JSON (timeline.knightlab.com/docs/json-format.html): `events` of slides
 * with a required `start_date` whose `year` is required; optional month/day/hour/minute/second in
 * range; `text` {headline, text}; `media` needs `url`; optional `title` slide, `eras`, `scale`.
 */
const TJS_DATE = {
  type: 'object',
  required: ['year'],
  additionalProperties: false,
  properties: {
    year: { type: 'integer' },
    month: { type: 'integer', minimum: 1, maximum: 12 },
    day: { type: 'integer', minimum: 1, maximum: 31 },
    hour: { type: 'integer', minimum: 0, maximum: 23 },
    minute: { type: 'integer', minimum: 0, maximum: 59 },
    second: { type: 'integer', minimum: 0, maximum: 59 },
    millisecond: { type: 'integer', minimum: 0, maximum: 999 },
    display_date: { type: 'string' },
  },
  dependencies: { day: ['month'], hour: ['day'], minute: ['hour'], second: ['minute'] },
};
const TJS_TEXT = {
  type: 'object',
  additionalProperties: false,
  properties: { headline: { type: 'string' }, text: { type: 'string' } },
};
const TJS_SLIDE = {
  type: 'object',
  additionalProperties: false,
  properties: {
    start_date: TJS_DATE,
    end_date: TJS_DATE,
    text: TJS_TEXT,
    media: {
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      properties: Object.fromEntries(
        ['url', 'caption', 'credit', 'thumbnail', 'alt', 'title', 'link', 'link_target'].map((k) => [k, { type: 'string' }]),
      ),
    },
    group: { type: 'string' },
    display_date: { type: 'string' },
    background: { type: 'object' },
    autolink: { type: 'boolean' },
    unique_id: { type: 'string', minLength: 1 },
  },
};
export const TIMELINEJS_SCHEMA = {
  type: 'object',
  required: ['events'],
  additionalProperties: false,
  properties: {
    events: { type: 'array', items: { ...TJS_SLIDE, required: ['start_date', 'unique_id'] } },
    title: TJS_SLIDE,
    eras: {
      type: 'array',
      items: {
        type: 'object',
        required: ['start_date', 'end_date'],
        properties: { start_date: TJS_DATE, end_date: TJS_DATE, text: TJS_TEXT },
      },
    },
    scale: { enum: ['human', 'cosmological'] },
  },
};
