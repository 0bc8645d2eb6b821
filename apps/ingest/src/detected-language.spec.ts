import { LANGUAGE_DETECTOR, fixedClock, prepareEvent, type PrepareResult } from '@timeline/events';
import { withDetectedLanguage } from './detected-language.js';

const input = (extra: Record<string, unknown> = {}) => ({
  type: 'statement.issued',
  occurredAt: '2022-01-24T00:00:00Z',
  occurredAtPrecision: 'day',
  storyId: 'russia-ukraine-2022',
  actors: [],
  locations: [],
  sources: [],
  tags: [],
  confirmation: 'confirmed',
  summary: 'Міністерство оборони України заявило про готовність військ.',
  payload: { topic: 'readiness' },
  ...extra,
});

const prepared = (extra?: Record<string, unknown>) => {
  const r = prepareEvent(input(extra), { clock: fixedClock(new Date('2022-01-24T12:00:00Z')) });
  if (!r.ok) throw new Error(r.message);
  return r as Extract<PrepareResult, { ok: true }>;
};

describe('withDetectedLanguage (ingest, issue 16)', () => {
  it('publishes the detected language of a summary without one, and says it was detected', () => {
    const r = withDetectedLanguage(prepared());
    expect(r.envelope).toMatchObject({ language: 'uk', languageDetectedBy: LANGUAGE_DETECTOR });
    expect(r.event).toMatchObject({ language: 'uk', languageDetectedBy: LANGUAGE_DETECTOR });
  });

  it('keeps a stated language as it is, even when the detector would disagree', () => {
    const r = withDetectedLanguage(prepared({ language: 'ru' }));
    expect(r.envelope.language).toBe('ru');
    expect(r.envelope.languageDetectedBy).toBeUndefined();
  });
});
