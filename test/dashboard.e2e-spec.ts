import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR, ROOT, statementIssued, useDashboardStack, waitFor, type RunningApp } from './support/index.js';

/**
 * Issue 5 browser acceptance: the built apps on real Kafka/Postgres, the seed dataset published by
 * the CLI, and Debian's Chromium driving the dashboard.
 */
describe('newsroom dashboard in a real browser', () => {
  const dash = useDashboardStack('dashboard-e2e');
  const { apiTotal, publish } = dash;
  let api: RunningApp;
  let page: Page;
  const problems: string[] = [];
  let seeded = 0;

  const cardCount = () => page.locator('article.card').count();

  beforeAll(async () => {
    ({ api, seeded } = dash);
    page = await dash.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });

  it('loads the seeded timeline: cards grouped by day, chart, live connection', async () => {
    expect(seeded).toBeGreaterThan(40);
    await page.goto(`${api.url}/`);
    await waitFor('every seeded card', async () => ((await cardCount()) === seeded ? true : undefined), 30_000, 200);
    expect(await page.locator('section.day').count()).toBeGreaterThan(20);
    expect(await page.locator('#chart svg .bar').count()).toBeGreaterThan(20);
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
    // Day precision never shows a time of day; corrections are labelled with their note.
    const first = page.locator('article.card').filter({ hasText: 'Stryker' });
    await expect(first.locator('.badge-corrected').textContent()).resolves.toBe('Corrected');
    await expect(first.locator('.notice-corrected').textContent()).resolves.toContain('2nd Cavalry');
    const dates = await page.locator('article.card[data-type="troops.moved"] time.card-date').allTextContents();
    expect(dates.length).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard.png') });
  });

  it('narrows the timeline with a filter, bound to the API and the URL', async () => {
    const expected = await apiTotal('type=statement.issued');
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(seeded);
    await page.getByRole('checkbox', { name: 'Statement issued' }).check();
    await waitFor('only statements', async () => ((await cardCount()) === expected ? true : undefined), 15_000, 100);
    const types = await page.locator('article.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-type')));
    expect(new Set(types)).toEqual(new Set(['statement.issued']));
    expect(page.url()).toContain('type=statement.issued');
    expect(await page.locator('#export-timelinejs').getAttribute('href')).toBe(
      '/v1/export?type=statement.issued&order=desc&format=timelinejs',
    );
  });

  it('shows a newly published event live, without a reload', async () => {
    const expected = await apiTotal('type=statement.issued');
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    const live = statementIssued({
      occurredAt: '2022-02-25T00:00:00Z',
      summary: 'Live check: the Kremlin says it is ready to send a delegation to Minsk for talks',
    });
    await publish(live);
    const card = page.locator(`#entry-${live.eventId}`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.textContent()).toContain('Live check');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(await card.getAttribute('class')).toContain('is-new');
    // The chart follows the live change too (its stats are re-read shortly after).
    await page.locator('#chart .legend li[data-type="statement.issued"]', { hasText: `(${expected + 1})` }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard-live-filtered.png') });
  });

  it('searches the full text and highlights matches', async () => {
    await page.getByRole('checkbox', { name: 'Statement issued' }).uncheck();
    await page.getByRole('searchbox', { name: 'Search' }).fill('Peskov');
    await waitFor(
      'search results',
      async () => {
        const n = await cardCount();
        return n > 0 && n < seeded && (await page.locator('article.card mark').count()) > 0 ? true : undefined;
      },
      15_000,
      100,
    );
    expect(await cardCount()).toBe(await apiTotal('q=Peskov'));
  });

  it('shows the timeline as known at an earlier time, with live updates paused', async () => {
    const stats = (await (await fetch(`${api.url}/v1/timeline?limit=1&order=desc`)).json()) as { data: { recordedAt: string }[] };
    expect(stats.data.length).toBe(1);
    // Before the live event (recorded last): the seeded timeline only.
    const liveEntry = (await (await fetch(`${api.url}/v1/timeline?q=Minsk%20delegation`)).json()) as { data: { recordedAt: string }[] };
    const before = new Date(Date.parse(liveEntry.data[0]!.recordedAt) - 1).toISOString();
    await page.goto(`${api.url}/?asOf=${encodeURIComponent(before)}`);
    await page.locator('#asof-banner').waitFor({ state: 'visible' });
    await waitFor('the seeded timeline as known then', async () => ((await cardCount()) === seeded ? true : undefined), 15_000, 100);
    expect(await page.locator('#live-status').getAttribute('data-state')).toBe('paused');
    await page.getByRole('button', { name: 'Back to live' }).first().click();
    await waitFor('the live timeline', async () => ((await cardCount()) === seeded + 1 ? true : undefined), 15_000, 100);
  });

  it('ran without console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });

  it('exports TimelineJS JSON that the real TimelineJS library renders: one slide per entry, no broken media (issue 15)', async () => {
    const exported = (await (await fetch(`${api.url}/v1/export?format=timelinejs`)).json()) as {
      events: { unique_id: string; media?: unknown; text: { headline: string; text: string } }[];
    };
    expect(exported.events.length).toBe(seeded + 1);
    // No article URL posing as media, and no headline repeating its text.
    expect(exported.events.filter((e) => e.media !== undefined)).toEqual([]);
    for (const e of exported.events) expect(e.text.text).not.toContain(`<p>${e.text.headline}</p>`);
    const tl = await dash.context.newPage();
    const tlProblems: string[] = [];
    tl.on('pageerror', (e) => tlProblems.push(e.message));
    try {
      // Offline: the library's own files from npm (its fonts and any remote media simply fail to load).
      await tl.setContent(
        '<!doctype html><html><head><meta charset="utf-8"></head><body><div id="tl" style="width:1200px;height:700px"></div></body></html>',
      );
      const dist = path.join(ROOT, 'node_modules', '@knight-lab', 'timelinejs', 'dist');
      await tl.addStyleTag({ path: path.join(dist, 'css', 'timeline.css') });
      await tl.addScriptTag({ path: path.join(dist, 'js', 'timeline.js') });
      await tl.evaluate((data) => {
        const w = window as unknown as { TL: { Timeline: new (id: string, data: unknown, opts: unknown) => unknown }; timeline: unknown };
        w.timeline = new w.TL.Timeline('tl', data, { hash_bookmark: false });
      }, exported);
      const slides = await waitFor(
        'TimelineJS slides',
        async () => {
          const n = await tl.locator('#tl .tl-slide').count();
          return n >= exported.events.length ? n : undefined;
        },
        30_000,
        200,
      );
      // One slide per entry plus the title slide.
      expect(slides).toBe(exported.events.length + 1);
      expect(await tl.locator('#tl .tl-slide-titleslide').count()).toBe(1);
      expect(await tl.locator('#tl .tl-media-loaderror').count()).toBe(0);
      const brokenImages = await tl.evaluate(
        () =>
          [...document.querySelectorAll('#tl img')].filter(
            (i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth === 0,
          ).length,
      );
      expect(brokenImages).toBe(0);
      await tl.screenshot({ path: path.join(ARTIFACTS_DIR, 'timelinejs-export.png') });
      expect(tlProblems).toEqual([]);
    } finally {
      await tl.close();
    }
  });
});
