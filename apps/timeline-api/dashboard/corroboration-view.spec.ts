import { corroborationText } from './corroboration-view.js';
import { newEventId } from './editor-session.js';
import { setUiLocale } from './i18n.js';

const counts = (reports: number, independentOutlets: number) => ({
  reports,
  independentOutlets,
  outlets: [],
  roles: { primary: 0, party: 0, media: independentOutlets },
  firstReportedAt: null,
  lastConfirmedAt: null,
});

describe('the card’s corroboration line (issue 14)', () => {
  afterEach(() => setUiLocale('en'));

  it('counts reports and independent outlets in English', () => {
    expect(corroborationText(counts(3, 2))).toBe('3 reports · 2 independent outlets');
    expect(corroborationText(counts(2, 1))).toBe('2 reports · 1 independent outlet');
  });

  it('uses the Ukrainian plural forms', () => {
    setUiLocale('uk');
    expect(corroborationText(counts(2, 1))).toBe('2 повідомлення · 1 незалежне видання');
    expect(corroborationText(counts(5, 3))).toBe('5 повідомлень · 3 незалежні видання');
    expect(corroborationText(counts(11, 5))).toBe('11 повідомлень · 5 незалежних видань');
  });
});

describe('editor events', () => {
  it('get a fresh UUID v4 each (the idempotency key of a click)', () => {
    const a = newEventId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newEventId()).not.toBe(a);
  });
});
