import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  ARTIFACTS_DIR,
  CHROMIUM_PATH,
  entryCorrected,
  entryRetracted,
  openEventStream,
  statementIssued,
  waitFor,
  type RunningApp,
  seriousAxeViolations,
  useDashboardStack,
} from './support/index.js';

/**
 * A4 pages the whole seeded timeline may take in print: 11 measured before issue 14, 14 with its
 * reports, counts and claim threads in the dataset; 15 before the print stylesheet (on the smaller dataset).
 */
const PRINT_PAGE_BUDGET = 15;

/**
 * Issue 15: working *in* the dashboard — live updates that keep the reader's place, an honest live
 * badge, panels that fail on their own. The built apps on real Kafka/Postgres with the seed dataset,
 * Debian's Chromium driving the page; every state leaves a screenshot in test-artifacts/.
 */
describe('newsroom dashboard: working in the page (issue 15)', () => {
  const dash = useDashboardStack('dashboard-workflow');
  const { apiTotal, publish, shot } = dash;
  let api: RunningApp;
  let context: BrowserContext;
  let page: Page;
  let seeded = 0;

  const openPage = async (url: string) => {
    const p = await context.newPage();
    await p.goto(url);
    await waitFor('every seeded card', async () => ((await p.locator('article.card').count()) >= seeded ? true : undefined), 30_000, 200);
    return p;
  };

  beforeAll(() => {
    ({ api, context, seeded } = dash);
  });

  describe('1. live updates patch one card and keep the reader’s place', () => {
    const strykerId = 'a9f3040b-137c-5f16-9b44-2ab19be40b34';
    const reading = () => page.locator(`#entry-${strykerId}`);
    const readingTop = async () => (await reading().boundingBox())!.y;
    const focusedCard = () => page.evaluate(() => document.activeElement?.closest('article.card')?.id ?? document.activeElement?.tagName);
    const historyOpen = () =>
      reading()
        .locator('details.history')
        .evaluate((d) => (d as HTMLDetailsElement).open);
    let top = 0;
    const above = statementIssued({
      occurredAt: '2022-03-01T00:00:00Z',
      summary: 'Live check: a statement dated after everything else, so it lands above the reader',
    });

    beforeAll(async () => {
      page = await openPage(`${api.url}/`);
      await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
      // The reader is down the page, in the Stryker entry's version history, keyboard on its summary.
      await reading().evaluate((c) => c.scrollIntoView({ block: 'center' }));
      await reading().locator('details.history > summary').click();
      await reading().locator('.history-list').waitFor();
      top = await readingTop();
      expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
    });

    it('an entry arriving above the viewport leaves the open history, the focus and the card where they were, and shows a pill', async () => {
      await publish(above);
      await page.locator(`#entry-${above.eventId}`).waitFor({ state: 'attached', timeout: 30_000 });
      expect(await historyOpen()).toBe(true);
      expect(await focusedCard()).toBe(`entry-${strykerId}`);
      expect(Math.abs((await readingTop()) - top)).toBeLessThanOrEqual(2);
      const pill = page.locator('#new-entries');
      await pill.waitFor({ state: 'visible' });
      expect(await pill.textContent()).toBe('↑ 1 new entry');
      await shot(page, 'live-pill');
    });

    it('a correction of the card being read replaces it in place, history still open (and re-read), focus kept', async () => {
      await publish(
        entryCorrected(
          { eventId: strykerId },
          { summary: 'Live check: the Stryker squadron’s corrected summary' },
          { occurredAt: '2022-02-02T00:00:00Z' },
        ),
      );
      await reading().filter({ hasText: 'corrected summary' }).waitFor({ timeout: 30_000 });
      expect(await historyOpen()).toBe(true);
      await reading().locator('.history-list li', { hasText: 'corrected summary' }).waitFor({ timeout: 10_000 });
      expect(await focusedCard()).toBe(`entry-${strykerId}`);
      expect(Math.abs((await readingTop()) - top)).toBeLessThanOrEqual(2);
    });

    it('a retraction above the viewport removes that one card without moving the page; the pill counts it out', async () => {
      await publish(entryRetracted({ eventId: above.eventId }));
      await page.locator(`#entry-${above.eventId}`).waitFor({ state: 'detached', timeout: 30_000 });
      expect(await historyOpen()).toBe(true);
      expect(Math.abs((await readingTop()) - top)).toBeLessThanOrEqual(2);
      await page.locator('#new-entries').waitFor({ state: 'hidden' });
    });

    it('the pill takes the reader to the new entries', async () => {
      const next = statementIssued({ occurredAt: '2022-03-02T00:00:00Z', summary: 'Live check: a second late statement, for the pill' });
      await publish(next);
      const pill = page.locator('#new-entries');
      await pill.waitFor({ state: 'visible', timeout: 30_000 });
      expect(Math.abs((await readingTop()) - top)).toBeLessThanOrEqual(2);
      await pill.click();
      const box = (await page.locator(`#entry-${next.eventId}`).boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeLessThan(900);
      expect(await focusedCard()).toBe(`entry-${next.eventId}`);
      await pill.waitFor({ state: 'hidden' });
      await shot(page, 'live-pill-followed');
      await page.close();
    });
  });

  describe('1. the live badge tells the truth', () => {
    it('over the per-client stream cap it says so, with the reason, and goes live once a slot frees', async () => {
      const capped = await dash.startApp('timeline-api', { API_STREAM_MAX_PER_CLIENT: '1' });
      const other = await openEventStream(`${capped.url}/v1/stream`);
      expect(other.status).toBe(200);
      const p = await openPage(`${capped.url}/`);
      try {
        await p.locator('#live-status[data-state="capped"]').waitFor({ timeout: 20_000 });
        expect(await p.locator('#live-status .live-label').textContent()).toBe('Live updates refused');
        const reason = await p.locator('#live-reason').textContent();
        expect(reason).toContain('Too many live connections from your network');
        expect(reason).toContain('API_STREAM_MAX_PER_CLIENT');
        expect(reason).toMatch(/Trying again in \d+ s\./);
        await shot(p, 'live-capped');
        other.close();
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 30_000 });
        expect(await p.locator('#live-reason').isHidden()).toBe(true);
      } finally {
        other.close();
        await p.close();
      }
    });
  });

  describe('1. the live badge when the server goes away', () => {
    it('says "Reconnecting…" (or why not) instead of "Live" once the API stops', async () => {
      const doomed = await dash.startApp('timeline-api');
      const p = await openPage(`${doomed.url}/`);
      try {
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
        await doomed.stop();
        await waitFor(
          'the badge to leave "Live"',
          async () => {
            const state = await p.locator('#live-status').getAttribute('data-state');
            return state === 'reconnecting' || state === 'unavailable' ? state : undefined;
          },
          20_000,
          100,
        );
        const label = await p.locator('#live-status .live-label').textContent();
        expect(['Reconnecting…', 'Live updates unavailable']).toContain(label);
        if (label === 'Live updates unavailable') expect(await p.locator('#live-reason').textContent()).toMatch(/Trying again in \d+ s\./);
        await shot(p, 'live-reconnecting');
      } finally {
        await p.close();
        await doomed.stop();
      }
    });
  });

  describe('2. each panel loads and fails on its own', () => {
    const exportsDisabled = (p: Page) =>
      p
        .locator('.export-links a')
        .evaluateAll((links) => links.every((a) => a.getAttribute('aria-disabled') === 'true' && !a.hasAttribute('href')));
    const problem = (status: number, detail: string) => ({
      status,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Injected', status, detail }),
    });

    it('From after To: the error is shown, old results cleared, the badge not Live, exports disabled; fixing it brings all back', async () => {
      const p = await openPage(`${api.url}/`);
      try {
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
        await p.locator('#f-from').fill('2022-02-20');
        await p.locator('#f-to').fill('2022-02-01');
        await p.locator('#f-to').dispatchEvent('change');
        await p.locator('#error .panel-error', { hasText: 'must not be before' }).waitFor({ timeout: 10_000 });
        expect(await p.locator('article.card').count()).toBe(0);
        expect(await p.locator('#live-status').getAttribute('data-state')).toBe('error');
        expect(await p.locator('#live-reason').textContent()).toContain('must not be before');
        expect(await exportsDisabled(p)).toBe(true);
        expect(await p.locator('#summary-line').textContent()).toBe('No results: the query failed');
        await shot(p, 'from-after-to');
        await p.locator('#f-to').fill('2022-02-24');
        await p.locator('#f-to').dispatchEvent('change');
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
        expect(await p.locator('article.card').count()).toBe(await apiTotal('from=2022-02-20&to=2022-02-24'));
        expect(await p.locator('#error').isHidden()).toBe(true);
        expect(await exportsDisabled(p)).toBe(false);
        expect(await p.locator('#export-csv').getAttribute('href')).toContain('from=2022-02-20&to=2022-02-24');
      } finally {
        await p.close();
      }
    });

    it('/v1/stats failing leaves the timeline working and live; the chart panel says why and its Retry loads it', async () => {
      const p = await context.newPage();
      try {
        await p.route('**/v1/stats?**', (r) => r.fulfill(problem(500, 'Injected stats failure')));
        await p.goto(`${api.url}/`);
        await p.locator('#chart .panel-error', { hasText: 'Injected stats failure' }).waitFor({ timeout: 15_000 });
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
        expect(await p.locator('article.card').count()).toBeGreaterThanOrEqual(seeded);
        expect(await p.locator('#error').isHidden()).toBe(true);
        expect(await exportsDisabled(p)).toBe(false);
        await shot(p, 'stats-failed');
        await p.unroute('**/v1/stats?**');
        await p.locator('#chart').getByRole('button', { name: 'Retry' }).click();
        await p.locator('#chart svg .bar').first().waitFor({ timeout: 15_000 });
        expect(await p.locator('#chart .panel-error').count()).toBe(0);
      } finally {
        await p.close();
      }
    });

    it('/v1/timeline failing leaves the chart; the timeline panel says why, the badge is not Live, Retry loads it', async () => {
      const p = await context.newPage();
      try {
        await p.route('**/v1/timeline?**', (r) => r.fulfill(problem(503, 'Injected timeline failure')));
        await p.goto(`${api.url}/`);
        await p.locator('#error .panel-error', { hasText: 'Injected timeline failure' }).waitFor({ timeout: 15_000 });
        await p.locator('#chart svg .bar').first().waitFor({ timeout: 15_000 });
        expect(await p.locator('#live-status').getAttribute('data-state')).toBe('error');
        expect(await exportsDisabled(p)).toBe(true);
        await shot(p, 'timeline-failed');
        await p.unroute('**/v1/timeline?**');
        await p.locator('#error').getByRole('button', { name: 'Retry' }).click();
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
        expect(await p.locator('article.card').count()).toBeGreaterThanOrEqual(seeded);
        expect(await p.locator('#error').isHidden()).toBe(true);
      } finally {
        await p.close();
      }
    });

    it('a dashboard module that fails to load shows a message and the CSV/NDJSON links instead of "Loading…" forever', async () => {
      const p = await context.newPage();
      try {
        await p.route('**/assets/js/type-chart.js', (r) => r.fulfill({ status: 404, body: 'not found' }));
        await p.goto(`${api.url}/`);
        const box = p.locator('#dashboard-fallback');
        await box.waitFor({ state: 'visible', timeout: 15_000 });
        expect(await box.textContent()).toContain('could not start');
        expect(await box.getByRole('link', { name: 'CSV' }).getAttribute('href')).toBe('/v1/export?format=csv');
        expect(await box.getByRole('link', { name: 'NDJSON' }).getAttribute('href')).toBe('/v1/export?format=ndjson');
        expect(await p.locator('#summary-line').textContent()).not.toBe('Loading…');
        await shot(p, 'module-failed');
      } finally {
        await p.close();
      }
    });

    it('with JavaScript off, <noscript> says so and links to the data', async () => {
      const b = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
      try {
        const p = await (await b.newContext({ javaScriptEnabled: false, viewport: { width: 1440, height: 1000 } })).newPage();
        await p.goto(`${api.url}/`);
        // With scripting off the parser makes <noscript>'s content elements (with it on, one text node);
        // Playwright calls anything inside <noscript> hidden, so the box is measured instead.
        const note = p.locator('noscript .fallback');
        expect(await note.count()).toBe(1);
        expect((await note.boundingBox())?.height).toBeGreaterThan(20);
        expect(await note.locator('h2').textContent()).toBe('The dashboard needs JavaScript');
        expect(await note.locator('a', { hasText: 'CSV' }).getAttribute('href')).toBe('/v1/export?format=csv');
        expect(await note.locator('a', { hasText: 'NDJSON' }).getAttribute('href')).toBe('/v1/export?format=ndjson');
        const res = await fetch(`${api.url}/v1/export?format=ndjson`);
        expect(res.status).toBe(200);
        await shot(p, 'noscript');
      } finally {
        await b.close();
      }
    });
  });

  describe('3. accessibility: axe-core in every main state', () => {
    let p: Page;
    /** axe-core's serious and critical violations in the page now, with a screenshot of the state. */
    const seriousViolations = async (state: string): Promise<string[]> => {
      const found = await seriousAxeViolations(p, state);
      await shot(p, `axe-${state}`);
      return found;
    };

    beforeAll(async () => {
      p = await openPage(`${api.url}/`);
      await p.locator('#chart svg').waitFor();
    });
    afterAll(async () => {
      await p?.close();
    });

    it('on load', async () => {
      expect(await seriousViolations('load')).toEqual([]);
    });

    it('filtered', async () => {
      await p.getByRole('checkbox', { name: 'Statement issued' }).check();
      await waitFor(
        'statements only',
        async () =>
          (await p.locator('article.card[data-type="statement.issued"]').count()) === (await p.locator('article.card').count())
            ? true
            : undefined,
        15_000,
        100,
      );
      expect(await seriousViolations('filtered')).toEqual([]);
      await p.getByRole('checkbox', { name: 'Statement issued' }).uncheck();
      await waitFor('every card again', async () => ((await p.locator('article.card').count()) >= seeded ? true : undefined), 15_000, 100);
    });

    it('with an entry’s version history open', async () => {
      const card = p.locator('article.card', { has: p.locator('details.history') }).first();
      await card.locator('details.history > summary').click();
      await card.locator('.history-list').waitFor();
      expect(await seriousViolations('entry-open')).toEqual([]);
    });

    it('as known at an earlier time', async () => {
      // Halfway through what was recorded: some entries known, the rest not yet.
      const all = (await (await fetch(`${api.url}/v1/timeline?limit=200`)).json()) as { data: { recordedAt: string }[] };
      const recorded = all.data.map((e) => e.recordedAt).sort();
      const asOf = new Date(Date.parse(recorded[Math.floor(recorded.length / 2)]!)).toISOString();
      await p.goto(`${api.url}/?asOf=${encodeURIComponent(asOf)}`);
      await p.locator('article.card').first().waitFor();
      await p.locator('#asof-banner').waitFor({ state: 'visible' });
      await p.locator('#live-status[data-state="paused"]').waitFor();
      expect(await seriousViolations('asof')).toEqual([]);
    });

    it('replaying', async () => {
      await p.goto(`${api.url}/`);
      await p.locator('#timeline article.card').first().waitFor();
      await p.locator('#replay-from').fill('2022-01-20');
      await p.locator('#replay-to').fill('2022-01-26');
      await p.locator('#replay-speed').selectOption('604800');
      await p.locator('#replay-play').click();
      await p.locator('#replay-panel').waitFor({ state: 'visible' });
      await waitFor(
        'the replay to finish',
        async () => ((await p.locator('#replay-status').textContent())?.startsWith('Replay finished') ? true : undefined),
        60_000,
        200,
      );
      expect(await seriousViolations('replay')).toEqual([]);
    });
  });

  describe('4. filters, permalinks, print and embedding', () => {
    const strykerId = 'a9f3040b-137c-5f16-9b44-2ab19be40b34';
    type Listed = { id: string; actors: { id: string }[]; locations: { name: string; country: string }[]; tags: string[]; storyId: string };
    let listed: Listed[] = [];
    const cards = (p: Page) => p.locator('#timeline article.card');
    const waitForCount = (p: Page, n: number, what: string) =>
      waitFor(what, async () => ((await cards(p).count()) === n ? true : undefined), 15_000, 100);
    const mostCommon = (values: string[], n: number) =>
      [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>())]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, n)
        .map(([v]) => v);

    beforeAll(async () => {
      listed = ((await (await fetch(`${api.url}/v1/timeline?limit=200`)).json()) as { data: Listed[] }).data;
    });

    it('several actors and countries at once, bound to the API and the URL', async () => {
      const actors = mostCommon(
        listed.flatMap((e) => e.actors.map((a) => a.id)),
        3,
      ).slice(1);
      const countries = mostCommon(
        listed.flatMap((e) => e.locations.map((l) => l.country)),
        2,
      );
      const p = await openPage(`${api.url}/`);
      try {
        await p.locator('#f-actor').selectOption(actors);
        const expected = await apiTotal(actors.map((a) => `actor=${a}`).join('&'));
        expect(expected).toBeGreaterThan(0);
        await waitForCount(p, expected, 'entries of either actor');
        await p.locator('#f-country').selectOption(countries);
        const both = await apiTotal([...actors.map((a) => `actor=${a}`), ...countries.map((c) => `country=${c}`)].join('&'));
        await waitForCount(p, both, 'entries of either actor in either country');
        const qs = new URL(p.url()).searchParams;
        expect(new Set(qs.getAll('actor'))).toEqual(new Set(actors));
        expect(new Set(qs.getAll('country'))).toEqual(new Set(countries));
        // The URL is the filter: a reload keeps every selection.
        await p.reload();
        await waitForCount(p, both, 'the same entries after a reload');
        const chosen = await p.locator('#f-actor').evaluate((s) => [...(s as HTMLSelectElement).selectedOptions].map((o) => o.value));
        expect(chosen.sort()).toEqual([...actors].sort());
        await shot(p, 'filters-multi');
      } finally {
        await p.close();
      }
    });

    it('tags, places and stories', async () => {
      const [tag] = mostCommon(
        listed.flatMap((e) => e.tags),
        1,
      );
      const [place] = mostCommon(
        listed.flatMap((e) => e.locations.map((l) => l.name)),
        1,
      );
      const [story] = mostCommon(
        listed.map((e) => e.storyId),
        1,
      );
      const p = await openPage(`${api.url}/`);
      try {
        await p.locator('#f-tag').selectOption([tag!]);
        await waitForCount(p, await apiTotal(`tag=${tag}`), `entries tagged ${tag}`);
        expect(await apiTotal(`tag=${tag}`)).toBeLessThan(seeded);
        await p.locator('#f-location').selectOption([place!]);
        await waitForCount(p, await apiTotal(new URLSearchParams({ tag: tag!, location: place! }).toString()), `… at ${place}`);
        await p.getByRole('button', { name: 'Reset' }).click();
        await p.locator('#f-story').selectOption([story!]);
        await waitForCount(p, await apiTotal(`story=${story}`), `entries of story ${story}`);
        expect(p.url()).toContain(`story=${story}`);
      } finally {
        await p.close();
      }
    });

    it('a permalink #entry-<id> scrolls to the entry, opens it and focuses it — even from a filter that hides it', async () => {
      const p = await context.newPage();
      try {
        await p.goto(`${api.url}/?type=statement.issued#entry-${strykerId}`);
        const card = p.locator(`#entry-${strykerId}`);
        await card.waitFor({ timeout: 30_000 });
        await card.locator('.history-list').waitFor({ timeout: 15_000 });
        expect(await card.locator('details.history').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
        expect(await p.evaluate(() => document.activeElement?.id)).toBe(`entry-${strykerId}`);
        const box = (await card.boundingBox())!;
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.y).toBeLessThan(300);
        expect(await card.locator('a.permalink').getAttribute('href')).toBe(`#entry-${strykerId}`);
        await shot(p, 'permalink');
      } finally {
        await p.close();
      }
    });

    it('prints a filtered timeline as a clean chronology: no filters, chart or buttons; cards unbroken', async () => {
      const p = await openPage(`${api.url}/`);
      try {
        await p.emulateMedia({ media: 'print' });
        for (const sel of ['.sidebar', '#chart', '.masthead-right', '#load-more']) {
          expect(await p.locator(sel).evaluate((el) => getComputedStyle(el).display)).toBe('none');
        }
        expect(
          await cards(p)
            .first()
            .evaluate((el) => getComputedStyle(el).breakInside),
        ).toBe('avoid');
        await shot(p, 'print');
        const pdf = await p.pdf({ format: 'A4', path: path.join(ARTIFACTS_DIR, 'dashboard-print.pdf') });
        const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
        expect(pages).toBeGreaterThan(0);
        expect(pages).toBeLessThanOrEqual(PRINT_PAGE_BUDGET);
      } finally {
        await p.close();
      }
    });

    it('is framed only by EMBED_ORIGINS (frame-ancestors); by default by no one', async () => {
      const host = http.createServer((req, res) => {
        const target = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<!doctype html><title>CMS</title><iframe id="embed" src="${target}" width="1200" height="800"></iframe>`);
      });
      await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
      const hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      const embeddable = await dash.startApp('timeline-api', { EMBED_ORIGINS: hostOrigin });
      const p = await context.newPage();
      try {
        const csp = (await fetch(`${embeddable.url}/`)).headers;
        expect(csp.get('content-security-policy')).toContain(`frame-ancestors ${hostOrigin}`);
        expect(csp.get('x-frame-options')).toBeNull();
        expect((await fetch(`${api.url}/`)).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

        await p.goto(`${hostOrigin}/?src=${encodeURIComponent(`${embeddable.url}/`)}`);
        const frame = p.frameLocator('#embed');
        await frame.locator('article.card').first().waitFor({ timeout: 30_000 });
        await shot(p, 'embedded');

        const blocked: string[] = [];
        p.on('console', (m) => blocked.push(m.text()));
        await p.goto(`${hostOrigin}/?src=${encodeURIComponent(`${api.url}/`)}`);
        await waitFor('the refusal', async () => (blocked.some((t) => t.includes('frame-ancestors')) ? true : undefined), 10_000, 100);
        expect(await p.frameLocator('#embed').locator('article.card').count()).toBe(0);
      } finally {
        await p.close();
        host.close();
      }
    });
  });

  describe('5. history, precision and "as known at"', () => {
    let p: Page;
    beforeAll(async () => {
      p = await openPage(`${api.url}/`);
    });
    afterAll(async () => {
      await p?.close();
    });

    it('the version history shows what a correction changed, field by field — a changed date too', async () => {
      // The seed's recognition entry was first dated 22 February; its correction moved it to the 21st.
      // By its own summary: other cards name it in their claim threads ("responds to …") since issue 14.
      const card = p
        .locator('article.card', { has: p.locator('.card-summary', { hasText: 'recognises the self-proclaimed Donetsk' }) })
        .first();
      await card.locator('details.history > summary').click();
      const diff = card.locator('.history-diff');
      await diff.waitFor({ timeout: 15_000 });
      const rows = await diff.evaluate((dl) =>
        [...dl.querySelectorAll('dt')].map((dt) => ({
          field: dt.textContent,
          before: dt.nextElementSibling?.querySelector('del')?.textContent?.replace('was: ', ''),
          after: dt.nextElementSibling?.querySelector('ins')?.textContent?.replace('now: ', ''),
        })),
      );
      expect(rows.find((r) => r.field === 'Date')).toEqual({ field: 'Date', before: '22 February 2022', after: '21 February 2022' });
      expect(rows.map((r) => r.field)).toContain('Summary');
      await card.evaluate((c) => c.scrollIntoView({ block: 'center' }));
      await shot(p, 'history-diff');
    });

    it('an hour-precision time reads as approximate, with its zone', async () => {
      const date = p.locator('article.card', { hasText: 'special military operation' }).first().locator('time.card-date');
      expect(await date.textContent()).toBe('24 February 2022, about 05:00 (Europe/Moscow)');
    });

    it('"as known at" takes seconds, shows its zone, refuses the future and explains an empty result', async () => {
      expect(await p.locator('label[for="f-asof"]').textContent()).toBe(
        `Date and time (${await p.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)})`,
      );
      expect(await p.locator('#f-asof').getAttribute('step')).toBe('1');
      const before = p.url();
      await p.locator('#f-asof').fill(`${new Date().getFullYear() + 1}-01-01T10:20:30`);
      await p.locator('#f-asof').dispatchEvent('change');
      await p.locator('#asof-error', { hasText: 'cannot be in the future' }).waitFor();
      expect(await p.locator('#f-asof').getAttribute('aria-invalid')).toBe('true');
      expect(p.url()).toBe(before);
      // The badge settles after the page reacts (a state change, not a fixed delay): wait for it, bounded.
      await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
      await shot(p, 'asof-future');

      await p.locator('#f-asof').fill('2001-02-03T04:05:06');
      await p.locator('#f-asof').dispatchEvent('change');
      await p.locator('#timeline .empty', { hasText: 'Nothing had been recorded yet' }).waitFor({ timeout: 15_000 });
      expect(await p.locator('#asof-error').isHidden()).toBe(true);
      const asOf = new URL(p.url()).searchParams.get('asOf')!;
      expect(new Date(asOf).getSeconds()).toBe(6);
      expect(await p.locator('#asof-banner-time').textContent()).toContain('04:05:06');
      await p.locator('#live-status[data-state="paused"]').waitFor({ timeout: 15_000 });
      await shot(p, 'asof-empty');
    });
  });

  describe('6. phone layout (390×844)', () => {
    it('search and entries first, filters in a drawer, a weekly chart with legible bars', async () => {
      const ctx = await context
        .browser()
        ?.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      const p = ctx ? await ctx.newPage() : await context.newPage();
      if (!ctx) await p.setViewportSize({ width: 390, height: 844 });
      try {
        await p.goto(`${api.url}/`);
        await waitFor(
          'every seeded card',
          async () => ((await p.locator('article.card').count()) >= seeded ? true : undefined),
          30_000,
          200,
        );
        await p.locator('#chart svg .bar').first().waitFor();
        // The search is on the first screen, and so is the first entry.
        const search = (await p.locator('#f-q').boundingBox())!;
        expect(search.y + search.height).toBeLessThan(300);
        const first = (await p.locator('article.card').first().boundingBox())!;
        expect(first.y).toBeLessThan(844);
        expect(await p.locator('#f-types').isVisible()).toBe(false);
        await shot(p, 'phone');

        // The drawer: opens over the page with every filter, closes with Escape back on its toggle.
        const toggle = p.locator('#filters-toggle');
        expect(await toggle.getAttribute('aria-expanded')).toBe('false');
        await toggle.click();
        expect(await toggle.getAttribute('aria-expanded')).toBe('true');
        await p.locator('#f-types').waitFor({ state: 'visible' });
        await p.getByRole('checkbox', { name: 'Statement issued' }).check();
        const statements = await apiTotal('type=statement.issued');
        await waitFor(
          'statements only',
          async () => ((await p.locator('article.card').count()) === statements ? true : undefined),
          15_000,
          100,
        );
        await shot(p, 'phone-drawer');
        await p.keyboard.press('Escape');
        expect(await toggle.getAttribute('aria-expanded')).toBe('false');
        expect(await p.evaluate(() => document.activeElement?.id)).toBe('filters-toggle');
        expect(await toggle.textContent()).toBe('Filters (1)');
        await p.locator('#f-types input[value="statement.issued"]').evaluate((b) => (b as HTMLInputElement).click());
        await waitFor(
          'every card again',
          async () => ((await p.locator('article.card').count()) >= seeded ? true : undefined),
          15_000,
          100,
        );

        // Weekly buckets at the phone's width: bars several pixels wide, labels unstretched.
        expect(await p.locator('#chart svg title').first().textContent()).toBe('Entries per week by type');
        expect(await p.locator('#overview-title').textContent()).toBe('Events per week');
        const barWidths = await p.locator('#chart svg .bar rect').evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().width));
        expect(Math.min(...barWidths)).toBeGreaterThanOrEqual(6);
        const label = (await p.locator('#chart svg text.axis-label').first().boundingBox())!;
        expect(label.height).toBeGreaterThanOrEqual(9);
        const overlaps = await p.locator('#chart svg text.axis-label[text-anchor="middle"]').evaluateAll((ts) => {
          const boxes = ts.map((t) => t.getBoundingClientRect()).sort((a, b) => a.left - b.left);
          return boxes.filter((b, i) => i > 0 && b.left < boxes[i - 1]!.right).length;
        });
        expect(overlaps).toBe(0);
        await p.locator('#chart').scrollIntoViewIfNeeded();
        await shot(p, 'phone-chart');
      } finally {
        await p.close();
        await ctx?.close();
      }
    });
  });
});
