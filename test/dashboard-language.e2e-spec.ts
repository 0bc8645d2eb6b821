import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { readinessRaised, seriousAxeViolations, statementIssued, useDashboardStack, waitFor, type RunningApp } from './support/index.js';

/** Where the Ukrainian interface's screenshot is left for a reviewer to look at. */
const UK_SCREENSHOT = '/tmp/dashboard-language-uk.png';

/**
 * Issue 16, item 4, in a real browser on the real stack (ingest → Kafka → projector → PostgreSQL →
 * API): the language switch, search highlights in the matched language, and the dashboard's own
 * words in Ukrainian. The seed dataset is English only, so the suite publishes three entries of its
 * own story through ingest — a Russian original with a machine translation into English, an English
 * original with an editor's Ukrainian translation, a Ukrainian original with none. The text is test
 * data written for this suite.
 */
describe('newsroom dashboard: languages (issue 16)', () => {
  const dash = useDashboardStack('dashboard-language');
  const story = `lang-${randomBytes(4).toString('hex')}`;
  let api: RunningApp;
  let context: BrowserContext;

  const russian = statementIssued({
    storyId: story,
    occurredAt: '2022-01-25T00:00:00Z',
    language: 'ru',
    summary: 'Песков заявил, что Кремль с большой обеспокоенностью следит за действиями США.',
    translations: [
      {
        lang: 'en',
        text: 'Peskov said the Kremlin is watching US actions with great concern.',
        by: 'machine:deepl',
        at: '2022-01-25T12:30:00Z',
      },
    ],
  });
  const english = readinessRaised({
    storyId: story,
    occurredAt: '2022-01-24T00:00:00Z',
    language: 'en',
    summary: 'Pentagon puts about 8,500 US troops on heightened alert for the NATO Response Force.',
    translations: [
      {
        lang: 'uk',
        text: 'Пентагон привів близько 8500 американських військових у стан підвищеної готовності.',
        by: 'editor',
        at: '2022-01-25T10:00:00Z',
      },
    ],
  });
  const ukrainian = statementIssued({
    storyId: story,
    occurredAt: '2022-01-23T00:00:00Z',
    language: 'uk',
    summary: 'Міністерство оборони повідомило, що військо готове до оборони Києва.',
    actors: [{ id: 'ua-mod', name: 'Міністерство оборони України', country: 'UA', role: 'subject' }],
    // Not the factory's Peskov quote: a search for "Пескова" must find the Russian entry only.
    sources: [{ role: 'primary', outlet: 'Міністерство оборони України', url: 'https://www.mil.gov.ua/', language: 'uk' }],
    tags: ['ukraine-mod'],
    payload: { speaker: 'Міністерство оборони України', quote: 'Військо готове.' },
  });

  const card = (p: Page, e: { eventId: string }) => p.locator(`#entry-${e.eventId}`);
  const summaryOf = (p: Page, e: { eventId: string }) => card(p, e).locator('p.card-summary');
  const labelOf = (p: Page, e: { eventId: string }) => card(p, e).locator('p.card-lang');
  const openPage = async (query: string, opts: { cards?: number; init?: () => void } = {}) => {
    const p = await context.newPage();
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    if (opts.init) await p.addInitScript(opts.init);
    await p.goto(`${api.url}/?story=${story}${query}`);
    const n = opts.cards ?? 3;
    await waitFor(`${n} cards`, async () => ((await p.locator('#timeline article.card').count()) === n ? true : undefined), 30_000, 200);
    return p;
  };
  const problems: string[] = [];

  beforeAll(async () => {
    ({ api, context } = dash);
    for (const e of [russian, english, ukrainian]) await dash.publish(e);
    await waitFor(
      'the three entries projected',
      async () => ((await dash.apiTotal(`story=${story}`)) === 3 ? true : undefined),
      60_000,
      250,
    );
  }, 90_000);

  it('shows the originals by default and, switched, each translation with who made it or the original labelled as such', async () => {
    const p = await openPage('');
    expect(await p.locator('html').getAttribute('lang')).toBe('en');
    expect(await p.locator('#content-lang').inputValue()).toBe('original');
    expect(await summaryOf(p, russian).textContent()).toBe(russian.summary);
    expect(await summaryOf(p, russian).getAttribute('lang')).toBe('ru');
    expect(await labelOf(p, russian).count()).toBe(0);

    // A labelled select, driven by the keyboard.
    expect(await p.locator('label[for=content-lang]').textContent()).toBe('Entries in');
    await p.locator('#content-lang').focus();
    await p.keyboard.press('ArrowDown'); // original → Українська
    await p.keyboard.press('ArrowDown'); // → Русский
    await p.keyboard.press('ArrowDown'); // → English
    await waitFor(
      'English translations',
      async () => ((await summaryOf(p, russian).getAttribute('lang')) === 'en' ? true : undefined),
      5_000,
      100,
    );
    expect(await summaryOf(p, russian).textContent()).toBe('Peskov said the Kremlin is watching US actions with great concern.');
    expect(await labelOf(p, russian).textContent()).toBe('Translation · English · machine translation (deepl)');
    // No English translation: the Ukrainian original, labelled in its own name.
    expect(await summaryOf(p, ukrainian).textContent()).toBe(ukrainian.summary);
    expect(await summaryOf(p, ukrainian).getAttribute('lang')).toBe('uk');
    expect(await labelOf(p, ukrainian).textContent()).toBe('Original · Українська');
    expect(await labelOf(p, ukrainian).locator('[lang=uk]').textContent()).toBe('Українська');
    // Already English: no label.
    expect(await labelOf(p, english).count()).toBe(0);
    expect(new URL(p.url()).searchParams.get('lang')).toBe('en');

    await p.locator('#content-lang').selectOption('uk');
    expect(await summaryOf(p, english).textContent()).toBe((english.translations as { text: string }[])[0]!.text);
    expect(await labelOf(p, english).textContent()).toBe('Translation · Українська · translated by an editor');
    expect(await labelOf(p, russian).textContent()).toBe('Original · Русский');
    await dash.shot(p, 'language-switch-uk');

    // Remembered: a page without ?lang= opens with the last choice; ?lang= in a shared link wins.
    const again = await openPage('');
    expect(await again.locator('#content-lang').inputValue()).toBe('uk');
    expect(await summaryOf(again, english).getAttribute('lang')).toBe('uk');
    const shared = await openPage('&lang=original');
    expect(await summaryOf(shared, english).textContent()).toBe(english.summary);
    await Promise.all([p.close(), again.close(), shared.close()]);
  });

  it('a Cyrillic search shows and highlights the text in the language it matched', async () => {
    // "готовністю" (instrumental) finds the Ukrainian translation's "готовності" through Hunspell
    // while the switch asks for the originals: the card shows the matched Ukrainian text, marked.
    const p = await openPage(`&lang=original&q=${encodeURIComponent('готовністю')}`, { cards: 1 });
    expect(await summaryOf(p, english).getAttribute('lang')).toBe('uk');
    expect(await summaryOf(p, english).locator('mark').allTextContents()).toEqual(['готовності']);
    expect(await labelOf(p, english).textContent()).toBe(
      'Translation · Українська · translated by an editor · Search matched the Українська text',
    );
    // Nothing was written as markup: the mark is an element the page built around a text node.
    expect(await summaryOf(p, english).evaluate((el) => [...el.childNodes].map((n) => n.nodeName))).toEqual(['#text', 'MARK', '#text']);

    // A Russian query (nominative; the text has the instrumental) with the switch on English: only the
    // Russian original matched, so it is shown instead of the English translation, highlighted, and says why.
    const ru = await openPage(`&lang=en&q=${encodeURIComponent('обеспокоенность')}`, { cards: 1 });
    expect(await summaryOf(ru, russian).getAttribute('lang')).toBe('ru');
    expect(await summaryOf(ru, russian).locator('mark').allTextContents()).toEqual(['обеспокоенностью']);
    expect(await labelOf(ru, russian).textContent()).toBe('Search matched the Русский text');
    await dash.shot(ru, 'language-search-ru');
    await Promise.all([p.close(), ru.close()]);
  });

  it('speaks Ukrainian to a Ukrainian browser: its strings, <html lang="uk">, Intl dates, no serious axe violations', async () => {
    await context.clearCookies();
    const fresh = await context.newPage();
    await fresh.goto(`${api.url}/favicon.svg`);
    await fresh.evaluate(() => localStorage.clear());
    await fresh.close();
    const p = await openPage('', {
      init: () => {
        Object.defineProperty(navigator, 'languages', { get: () => ['uk-UA', 'uk', 'en'] });
        Object.defineProperty(navigator, 'language', { get: () => 'uk-UA' });
      },
    });
    expect(await p.locator('html').getAttribute('lang')).toBe('uk');
    expect(await p.locator('#ui-lang').inputValue()).toBe('uk');
    await waitFor(
      'the live badge',
      async () => ((await p.locator('#live-status').getAttribute('data-state')) === 'live' ? true : undefined),
      15_000,
      100,
    );
    const text = async (selector: string) => ((await p.locator(selector).first().textContent()) ?? '').trim();
    expect(await p.title()).toBe('Хроніка кризи — панель редакції');
    expect(await text('.masthead h1')).toBe('Хроніка кризи');
    expect(await text('#live-status .live-label')).toBe('Наживо');
    expect(await text('#filters-title')).toBe('Фільтри');
    expect(await text('label[for=f-q]')).toBe('Пошук');
    expect(await p.locator('#f-q').getAttribute('placeholder')).toBe('напр. Пєсков, «Сили реагування НАТО»');
    expect(await text('#filters button[type=submit]')).toBe('Застосувати');
    expect(await text('#reset')).toBe('Скинути');
    expect(await text('#export-title')).toBe('Експорт');
    expect(await text('#replay-title')).toBe('Відтворення');
    expect(await text('#replay-play')).toBe('Відтворити');
    expect(await text('#map-title')).toBe('Мапа');
    expect(await p.locator('#timeline').getAttribute('aria-label')).toBe('Записи хроніки');
    expect(await text('label[for=content-lang]')).toBe('Мова записів');
    expect(await text(`#entry-${russian.eventId}-title`)).toBe('Заява');
    expect(await text('#summary-line')).toMatch(/^3 записи · 23 січня 2022 р\. – 25 січня 2022 р\.$/);
    // Dates through Intl in Ukrainian: the day heading and the card's date.
    expect(await text('section.day .day-title time')).toBe('вівторок, 25 січня 2022 р.');
    expect(await text(`#entry-${russian.eventId} .card-date`)).toBe('25 січня 2022 р.');
    expect(await text('section.day .day-count')).toBe('1 запис');

    // The switch labels in Ukrainian too, with the language in its own name.
    await p.locator('#content-lang').selectOption('uk');
    expect(await labelOf(p, russian).textContent()).toBe('Оригінал · Русский');
    expect(await labelOf(p, english).textContent()).toBe('Переклад · Українська · переклав редактор');

    const violations = await seriousAxeViolations(p, 'Ukrainian interface');
    expect(violations).toEqual([]);
    await p.screenshot({ path: UK_SCREENSHOT, fullPage: false });
    await dash.shot(p, 'language-ui-uk');
    expect(fs.existsSync(UK_SCREENSHOT)).toBe(true);
    // A phone: the longer Ukrainian labels still fit the masthead (it wraps, nothing overflows).
    await p.setViewportSize({ width: 390, height: 844 });
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await dash.shot(p, 'language-ui-uk-phone');
    await p.setViewportSize({ width: 1440, height: 1000 });

    // Back to English through the control: remembered for the next page.
    await Promise.all([p.waitForEvent('load'), p.locator('#ui-lang').selectOption('en')]);
    await p.locator('html[lang=en]').waitFor({ timeout: 10_000 });
    expect(await text('#filters-title')).toBe('Filters');
    await p.close();
    expect(problems).toEqual([]);
  });
});
