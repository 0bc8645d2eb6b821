import { autonym, formatDayHeading, formatEntryDate, initialUiLocale, setUiLocale, t } from './i18n.js';

describe('dashboard interface language (issue 16)', () => {
  afterEach(() => setUiLocale('en'));

  it('starts from the remembered choice, else the browser language, else English', () => {
    expect(initialUiLocale('uk', ['en-US'])).toBe('uk');
    expect(initialUiLocale(null, ['de-DE', 'uk-UA', 'en'])).toBe('uk');
    expect(initialUiLocale('fr', ['ru-RU'])).toBe('en');
    expect(initialUiLocale(null, [])).toBe('en');
  });

  it('fills parameters and picks the plural form of the locale', () => {
    expect(t('list.dayCount', { n: 1 })).toBe('1 entry');
    expect(t('list.dayCount', { n: 3 })).toBe('3 entries');
    setUiLocale('uk');
    expect(t('list.dayCount', { n: 1 })).toBe('1 запис');
    expect(t('list.dayCount', { n: 3 })).toBe('3 записи');
    expect(t('list.dayCount', { n: 5 })).toBe('5 записів');
    expect(t('list.dayCount', { n: 21 })).toBe('21 запис');
    expect(t('live.live')).toBe('Наживо');
  });

  it('formats dates with Intl in Ukrainian and keeps the English wording in English', () => {
    const english = (day: string) => `EN ${day}`;
    expect(formatDayHeading('2022-01-24', english)).toBe('EN 2022-01-24');
    setUiLocale('uk');
    expect(formatDayHeading('2022-01-24', english)).toMatch(/^понеділок, 24 січня 2022/);
    const e = {
      displayDate: '24 January 2022, 05:00 EET',
      occurredAt: '2022-01-24T03:00:00Z',
      occurredAtPrecision: 'hour' as const,
      occurredTz: 'Europe/Kyiv',
    };
    expect(formatEntryDate(e, (x) => x.displayDate)).toMatch(/^24 січня 2022 р\., близько 05:00/);
    expect(formatEntryDate({ ...e, occurredAtPrecision: 'day', occurredTz: null }, (x) => x.displayDate)).toBe('24 січня 2022 р.');
  });

  it('names languages by their own name', () => {
    expect(autonym('uk')).toBe('Українська');
    expect(autonym('ru')).toBe('Русский');
    expect(autonym('en-GB')).toBe('English');
  });
});
