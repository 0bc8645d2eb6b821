import { MAX_JSON_DEPTH } from './storable-text.js';

/** The result of {@link parseEventJson}: the parsed value, or why the bytes are not an event's JSON. */
export type EventJsonResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly code: 'EVENT.MALFORMED_JSON'; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Offset of the first `{` or `[` nested deeper than `max`, or -1. One pass over the text, strings
 * skipped: it runs before `JSON.parse`, so a document nested 100,000 levels deep is refused before
 * anything recursive (a parser, `JSON.stringify`, a validator) can throw `RangeError` on it.
 */
export function excessiveNestingAt(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}

/**
 * Bytes → JSON value under the catalogue's limits, never throwing: well-formed UTF-8 (a replacement
 * character would silently change what the producer wrote), nesting at most {@link MAX_JSON_DEPTH}
 * levels, then `JSON.parse`. The ingest API's body parser and the projector's Kafka decoder both use
 * it, so the same bytes get the same verdict on either path.
 */
export function parseEventJson(bytes: Uint8Array | string): EventJsonResult {
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    try {
      text = utf8.decode(bytes);
    } catch {
      return { ok: false, code: 'EVENT.MALFORMED_JSON', message: 'is not valid UTF-8 text' };
    }
  }
  const deep = excessiveNestingAt(text);
  if (deep >= 0) {
    return {
      ok: false,
      code: 'EVENT.MALFORMED_JSON',
      message: `nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (at character ${deep})`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, code: 'EVENT.MALFORMED_JSON', message: `is not JSON: ${(err as Error).message}` };
  }
}
