/**
 * Thousands separators inside numbers (`8,500`, `8 500` with a no-break or thin space, as Ukrainian
 * and Russian print them) removed, so "8500" and "8,500" are one word to the full-text index. The
 * writer applies it to the indexed text and the API to the query: both sides must agree.
 */
export function normalizeNumbers(text: string): string {
  return text.replace(/(\d)[,\u00a0\u202f\u2009](?=\d{3}(?!\d))/g, '$1');
}
