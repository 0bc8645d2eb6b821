import { EN, UK, type Message, type MessageKey } from './messages.js';

/** The languages the dashboard's own words are written in. */
export const UI_LOCALES = ['en', 'uk'] as const;
export type UiLocale = (typeof UI_LOCALES)[number];

const CATALOGUES: Readonly<Record<UiLocale, Readonly<Record<MessageKey, Message>>>> = { en: EN, uk: UK };
/** localStorage key of the reader's interface language. */
export const UI_LOCALE_STORAGE_KEY = 'timeline.uiLocale';

let current: UiLocale = 'en';

/** The interface language now. */
export function uiLocale(): UiLocale {
  return current;
}

/** Switches the interface language (the page re-renders its strings itself). */
export function setUiLocale(locale: UiLocale): void {
  current = locale;
}

export function isUiLocale(v: unknown): v is UiLocale {
  return typeof v === 'string' && (UI_LOCALES as readonly string[]).includes(v);
}

/**
 * The interface language to start with: the one the reader chose before, else the first of the
 * browser's languages the dashboard speaks (`uk-UA` → Ukrainian), else English.
 */
export function initialUiLocale(stored: string | null, browserLanguages: readonly string[]): UiLocale {
  if (isUiLocale(stored)) return stored;
  for (const tag of browserLanguages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isUiLocale(primary)) return primary;
  }
  return 'en';
}

/** A message of the interface language with `{name}` parameters filled in; a plural message by `params.n`. */
export function t(key: MessageKey, params: Readonly<Record<string, string | number>> = {}, locale: UiLocale = current): string {
  const message = CATALOGUES[locale][key] ?? EN[key];
  return fill(typeof message === 'string' ? message : pluralForm(message, Number(params.n ?? params.count ?? 0), locale), params);
}

/** Whether the catalogue has `key` (type labels of types it does not know fall back to the API's title). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(EN, key);
}

function pluralForm(m: Exclude<Message, string>, n: number, locale: UiLocale): string {
  const category = new Intl.PluralRules(locale).select(n) as keyof typeof m;
  return m[category] ?? m.other;
}

function fill(text: string, params: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Writes the catalogue's words into the static page: `data-i18n="key"` replaces an element's text,
 * `data-i18n-attr="placeholder:key aria-label:key"` its attributes; `<html lang>` and the title follow.
 */
export function localizeDocument(doc: Document): void {
  doc.documentElement.lang = current;
  doc.title = t('page.title');
  doc.querySelector('meta[name=description]')?.setAttribute('content', t('page.description'));
  for (const el of doc.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset.i18n!;
    if (hasMessage(key)) el.textContent = t(key);
  }
  for (const el of doc.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr!.split(/\s+/)) {
      const [attr, key] = pair.split(':');
      if (attr && key && hasMessage(key)) el.setAttribute(attr, t(key));
    }
  }
}

/** A language's own name, capitalised ("Українська", "Русский", "English"): how language pickers name them. */
export function autonym(lang: string): string {
  const primary = lang.toLowerCase().split('-')[0] ?? lang;
  try {
    const name = new Intl.DisplayNames([primary], { type: 'language' }).of(primary) ?? primary;
    return name.charAt(0).toLocaleUpperCase(primary) + name.slice(1);
  } catch {
    return lang;
  }
}

/** A country's name in the interface language. */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames([current], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

const ukDay = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('uk', { timeZone: 'UTC', ...opts });

/**
 * `2022-01-24` as a day heading: "Monday 24 January 2022" (the dashboard's English form, as before)
 * or, in Ukrainian, Intl's "понеділок, 24 січня 2022 р.".
 */
export function formatDayHeading(day: string, englishHeading: (day: string) => string): string {
  if (current === 'en') return englishHeading(day);
  return ukDay({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(Date.parse(`${day}T00:00:00Z`));
}

/** `2022-01-24` without the weekday ("24 January 2022" / "24 січня 2022 р."). */
export function formatDay(day: string, englishDay: (day: string) => string): string {
  if (current === 'en') return englishDay(day);
  return ukDay({ day: 'numeric', month: 'long', year: 'numeric' }).format(Date.parse(`${day}T00:00:00Z`));
}

/** A chart axis tick: "24 Jan" / "24 січ.". */
export function formatAxisDay(day: string, englishTick: (day: string) => string): string {
  if (current === 'en') return englishTick(day);
  return ukDay({ day: 'numeric', month: 'short' }).format(Date.parse(`${day}T00:00:00Z`));
}

/** What the card's date needs of an entry. */
export interface DatedEntry {
  readonly displayDate: string;
  readonly occurredAt: string;
  readonly occurredAtPrecision: 'day' | 'hour' | 'minute' | 'second';
  readonly occurredUntil?: string | null;
  readonly occurredTz?: string | null;
}

/**
 * The entry's date, only as precise as reported, in the interface language. English keeps the API's
 * `displayDate` (the wording every export uses); other languages format `occurredAt` with Intl in
 * the zone it was reported in (an hour-precision time reads "близько 05:00", as "about" in English).
 */
export function formatEntryDate(e: DatedEntry, english: (e: DatedEntry) => string): string {
  if (current === 'en') return english(e);
  const timeZone = e.occurredTz ?? 'UTC';
  const withTime = e.occurredAtPrecision !== 'day';
  const date: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric', timeZone };
  const time: Intl.DateTimeFormatOptions = {
    hour: '2-digit',
    minute: '2-digit',
    ...(e.occurredAtPrecision === 'second' ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
    timeZone,
    timeZoneName: 'short',
  };
  try {
    const start = new Date(e.occurredAt);
    if (e.occurredUntil) {
      const range = new Intl.DateTimeFormat(current, withTime ? { ...date, ...time } : date);
      return range.formatRange(start, new Date(e.occurredUntil));
    }
    if (!withTime) return new Intl.DateTimeFormat(current, date).format(start);
    const clock = new Intl.DateTimeFormat(current, time).format(start);
    const d = new Intl.DateTimeFormat(current, date).format(start);
    return `${d}, ${e.occurredAtPrecision === 'hour' ? t('card.about', { time: clock }) : clock}`;
  } catch {
    return english(e);
  }
}

/** An instant to the minute in the interface language, for notices and history ("1 Dec 2026, 16:31 UTC"). */
export function formatRecordedInstant(iso: string, english: (iso: string) => string): string {
  if (current === 'en') return english(iso);
  return new Intl.DateTimeFormat(current, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
    timeZoneName: 'short',
  }).format(new Date(iso));
}
