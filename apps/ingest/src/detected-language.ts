import { languageOf, type PrepareResult } from '@timeline/events';

type Prepared = Extract<PrepareResult, { ok: true }>;

/**
 * Issue 16: an event whose producer left `language` out is published with the detected language of
 * its summary and `languageDetectedBy` naming the detector, so every reader sees the same answer and
 * can tell a stated language from a detected one. A stated language is never second-guessed.
 */
export function withDetectedLanguage(r: Prepared): Prepared {
  if (r.envelope.language !== undefined) return r;
  const { language, languageDetectedBy } = languageOf(r.envelope);
  const stamp = { language, ...(languageDetectedBy ? { languageDetectedBy } : {}) };
  return { ...r, envelope: { ...r.envelope, ...stamp }, event: { ...r.event, ...stamp } };
}
