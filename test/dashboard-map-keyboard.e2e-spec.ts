import type { BrowserContext, Page } from 'playwright-core';
import { openEventStream, statementIssued, waitFor, type RunningApp, seriousAxeViolations, useDashboardStack } from './support/index.js';

interface Listed {
  id: string;
  type: string;
  confirmation: string;
  locations: { name: string; country: string; lat?: number; lon?: number; geoPrecision?: number }[];
}

/**
 * Issue 15, the rest of it in a real browser: the offline map of the filtered entries (linked both
 * ways with the list and the filters), the confirmation filter, and a keyboard-only walk through
 * the main tasks. The built apps on real Kafka/Postgres with the seed dataset, Debian's Chromium;
 * screenshots in test-artifacts/.
 */
describe('newsroom dashboard: map, confirmation filter, keyboard walk-through (issue 15)', () => {
  const dash = useDashboardStack('dashboard-map');
  const { apiTotal, publish, shot } = dash;
  let api: RunningApp;
  let context: BrowserContext;
  let seeded = 0;
  let listed: Listed[] = [];

  const cards = (p: Page) => p.locator('#timeline article.card');
  const waitForCount = (p: Page, n: number, what: string) =>
    waitFor(what, async () => ((await cards(p).count()) === n ? true : undefined), 15_000, 100);
  const located = (e: Listed) => e.locations.some((l) => typeof l.lat === 'number' && typeof l.lon === 'number');
  /** Every entry id some marker stands for. */
  const mappedIds = async (p: Page) =>
    new Set(
      (await p.locator('#map g.marker').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-entries') ?? ''))).flatMap((s) =>
        s.split(' ').filter(Boolean),
      ),
    );
  /** Requests any page made to another origin (the map must need none). */
  const foreign: string[] = [];
  const openPage = async (url: string, problems: string[] = []) => {
    const p = await context.newPage();
    p.on('request', (r) => {
      if (!r.url().startsWith(api.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    p.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await p.goto(url);
    await waitFor('every seeded card', async () => ((await cards(p).count()) >= seeded ? true : undefined), 30_000, 200);
    await p.locator('#map path.country').first().waitFor({ state: 'attached', timeout: 15_000 });
    return p;
  };
  /** A marker that lists its entries, zooming in until there is one. */
  const listCluster = async (p: Page) => {
    for (let i = 0; i < 6; i++) {
      const list = p.locator('#map g.marker[data-action="list"]');
      if ((await list.count()) > 0) return list.first();
      await p.locator('#map g.marker[data-action="zoom"]').first().click();
    }
    throw new Error('no cluster lists its entries, even zoomed in');
  };
  const seriousViolations = seriousAxeViolations;

  beforeAll(async () => {
    ({ api, context, seeded } = dash);
    listed = ((await (await fetch(`${api.url}/v1/timeline?limit=200`)).json()) as { data: Listed[] }).data;
  });

  describe('3. the map of the filtered entries', () => {
    let p: Page;
    const problems: string[] = [];
    beforeAll(async () => {
      p = await openPage(`${api.url}/`, problems);
    });
    afterAll(async () => {
      await p?.close();
    });

    it('draws the country outlines from the app itself and a marker for every located entry, offline', async () => {
      const requests: string[] = [];
      const q = await context.newPage();
      q.on('request', (r) => requests.push(r.url()));
      await q.goto(`${api.url}/`);
      await q.locator('#map path.country').first().waitFor({ state: 'attached', timeout: 15_000 });
      await q.locator('#map g.marker').first().waitFor({ state: 'attached' });
      // Nothing from another origin: no tile server, no CDN.
      expect(requests.filter((u) => !u.startsWith(api.url) && !u.startsWith('data:'))).toEqual([]);
      expect(requests).toContain(`${api.url}/assets/map/countries-110m.json`);
      await q.close();

      expect(await p.locator('#map path.country').count()).toBeGreaterThan(150);
      const expected = new Set(listed.filter(located).map((e) => e.id));
      expect(expected.size).toBeGreaterThan(10);
      expect(await mappedIds(p)).toEqual(expected);
      // Clustered: fewer markers than located places, and the numbers add up to the entries.
      const markers = await p.locator('#map g.marker').count();
      const places = listed.reduce((n, e) => n + e.locations.filter((l) => typeof l.lat === 'number').length, 0);
      expect(markers).toBeLessThan(places);
      expect(await p.locator('#map g.marker.is-cluster text.marker-count').count()).toBeGreaterThan(0);
      expect(await p.locator('#map-summary').textContent()).toBe(`${expected.size} of ${seeded} entries placed`);
      await shot(p, 'map');
      expect(await seriousViolations(p, 'map')).toEqual([]);
    });

    it('sizes markers by geoPrecision: a region is drawn wider than a town', async () => {
      // Two places with two entries each: Geneva (a town) and Donbas (a whole region).
      const radius = async (place: string) => {
        await p.goto(`${api.url}/?location=${encodeURIComponent(place)}`);
        await waitForCount(p, await apiTotal(`location=${encodeURIComponent(place)}`), `entries at ${place}`);
        await p.locator('#map path.country').first().waitFor({ state: 'attached' });
        const marker = p.locator(`#map g.marker[aria-label^="${place}: 2 entries"]`);
        expect(await marker.count()).toBe(1);
        return { precision: await marker.getAttribute('data-precision'), width: (await marker.locator('circle').boundingBox())!.width };
      };
      const town = await radius('Geneva');
      const region = await radius('Donbas');
      expect(town.precision).toBe('1');
      expect(region.precision).toBe('3');
      expect(region.width).toBeGreaterThan(town.width * 1.5);
      await shot(p, 'map-region');
    });

    it('follows the filters: a filter change redraws it with just the matching entries', async () => {
      await p.goto(`${api.url}/`);
      await waitForCount(p, seeded, 'every card');
      await p.getByRole('checkbox', { name: 'Statement issued' }).check();
      const statements = listed.filter((e) => e.type === 'statement.issued');
      await waitForCount(p, statements.length, 'statements only');
      await waitFor(
        'the map to follow',
        async () => ((await mappedIds(p)).size === statements.filter(located).length ? true : undefined),
        10_000,
        100,
      );
      expect(await mappedIds(p)).toEqual(new Set(statements.filter(located).map((e) => e.id)));
      await shot(p, 'map-filtered');
      await p.getByRole('checkbox', { name: 'Statement issued' }).uncheck();
      await waitForCount(p, seeded, 'every card again');
    });

    it('a live entry appears on the map without a reload', async () => {
      const live = statementIssued({
        occurredAt: '2022-02-15T00:00:00Z',
        summary: 'Map check: a statement issued in Reykjavik',
        locations: [{ name: 'Reykjavik', country: 'IS', lat: 64.1466, lon: -21.9426, geoPrecision: 1 }],
      });
      await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
      await publish(live);
      await waitFor('the live marker', async () => ((await mappedIds(p)).has(live.eventId) ? true : undefined), 30_000, 200);
      expect(await p.locator(`#map g.marker[aria-label^="Reykjavik"]`).count()).toBe(1);
      seeded = await apiTotal();
      listed = ((await (await fetch(`${api.url}/v1/timeline?limit=200`)).json()) as { data: Listed[] }).data;
    });

    it('a marker of one entry opens its card; a cluster lists its entries, each leading to its card', async () => {
      // A marker that stands for one entry only.
      const single = p.locator('#map g.marker:not(.is-cluster)').first();
      const id = (await single.getAttribute('data-entries'))!;
      await p.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await single.click();
      const card = p.locator(`#entry-${id}`);
      expect(await p.evaluate(() => document.activeElement?.id)).toBe(`entry-${id}`);
      const box = (await card.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeLessThan(300);

      // The largest cluster spans places far apart: choosing it zooms in on them.
      const viewBox = () => p.locator('#map svg').getAttribute('viewBox');
      const whole = await viewBox();
      const zoomable = p.locator('#map g.marker[data-action="zoom"]');
      const spread = await zoomable.evaluateAll((gs) =>
        gs.map((g) => ({ key: g.getAttribute('data-key')!, n: (g.getAttribute('data-entries') ?? '').split(' ').length })),
      );
      const biggest = spread.sort((a, b) => b.n - a.n)[0]!;
      const inside = new Set((await p.locator(`#map g.marker[data-key="${biggest.key}"]`).getAttribute('data-entries'))!.split(' '));
      const markersBefore = await p.locator('#map g.marker').count();
      await p.locator(`#map g.marker[data-key="${biggest.key}"]`).click();
      await waitFor('the zoom', async () => ((await viewBox()) !== whole ? true : undefined), 5_000, 50);
      expect(Number((await viewBox())!.split(' ')[2])).toBeLessThan(Number(whole!.split(' ')[2]) / 2);
      await p.locator('#map-reset').waitFor({ state: 'visible' });
      expect(await p.locator('#map-summary').textContent()).toContain('zoomed in');
      // Its entries are all still there, parted into more markers.
      for (const entryId of inside) expect(await mappedIds(p)).toContain(entryId);
      expect(await p.locator('#map g.marker').count()).toBeGreaterThan(1);
      await shot(p, 'map-zoomed');
      expect(await seriousViolations(p, 'map-zoomed')).toEqual([]);
      expect(await p.locator('#map g.marker').count()).not.toBe(markersBefore);

      // A cluster of places close together lists its entries over the map.
      const cluster = await listCluster(p);
      const ids = (await cluster.getAttribute('data-entries'))!.split(' ');
      await cluster.click();
      const popup = p.locator('#map-popup');
      await popup.waitFor({ state: 'visible' });
      expect(await popup.locator('.map-popup-list button').count()).toBe(ids.length);
      expect(await popup.locator('h3').textContent()).toMatch(new RegExp(`: ${ids.length} entries$`));
      await shot(p, 'map-cluster');
      expect(await seriousViolations(p, 'map-popup')).toEqual([]);
      await popup.locator('.map-popup-list button').nth(1).click();
      expect(await popup.isHidden()).toBe(true);
      expect(await p.evaluate(() => document.activeElement?.id)).toBe(`entry-${ids[1]}`);

      // "Show the whole map" fits it to every entry again.
      await p.locator('#map-reset').click();
      expect(await viewBox()).toBe(whole);
      expect(await p.locator('#map-reset').isHidden()).toBe(true);
    });

    it('"Only these places" on a cluster narrows the place filter to it', async () => {
      const cluster = await listCluster(p);
      await cluster.click();
      const popup = p.locator('#map-popup');
      await popup.waitFor({ state: 'visible' });
      await popup.getByRole('button', { name: /^Only / }).click();
      await waitFor(
        'the place filter in the URL',
        async () => (new URL(p.url()).searchParams.has('location') ? true : undefined),
        10_000,
        100,
      );
      const qs = new URL(p.url()).searchParams;
      const expected = await apiTotal(new URLSearchParams(qs.getAll('location').map((l) => ['location', l])).toString());
      await waitForCount(p, expected, 'entries at those places');
      expect(expected).toBeLessThan(seeded);
      const chosen = await p.locator('#f-location').evaluate((s) => [...(s as HTMLSelectElement).selectedOptions].map((o) => o.value));
      expect(chosen.sort()).toEqual(qs.getAll('location').sort());
      await shot(p, 'map-places-filter');
      await p.getByRole('button', { name: 'Reset' }).click();
      await waitForCount(p, seeded, 'every card again');
    });

    it('hovering or focusing a card lights up its markers', async () => {
      const entry = listed.find((e) => located(e) && e.locations.length >= 2) ?? listed.find(located)!;
      const card = p.locator(`#entry-${entry.id}`);
      // Nothing focused (a focused card keeps its markers lit), then the pointer on a card.
      await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await card.scrollIntoViewIfNeeded();
      await card.locator('.card-summary').hover();
      const lit = p.locator('#map g.marker.is-highlighted');
      await waitFor('a lit marker', async () => ((await lit.count()) > 0 ? true : undefined), 5_000, 50);
      for (const ids of await lit.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-entries')!.split(' ')))) {
        expect(ids).toContain(entry.id);
      }
      await shot(p, 'map-highlight');
      await p.mouse.move(5, 5);
      await p.locator('.masthead').hover();
      await waitFor('no lit marker', async () => ((await lit.count()) === 0 ? true : undefined), 5_000, 50);
      // The keyboard: focus inside another card lights up that card's markers.
      const other = listed.find((e) => located(e) && e.id !== entry.id)!;
      await p.locator(`#entry-${other.id} a.permalink`).focus();
      await waitFor('its marker lit', async () => ((await lit.count()) > 0 ? true : undefined), 5_000, 50);
      expect((await lit.first().getAttribute('data-entries'))!.split(' ')).toContain(other.id);
    });

    it('fails on its own: without the outlines the markers are still placed, and Retry loads them', async () => {
      const q = await context.newPage();
      try {
        await q.route('**/assets/map/countries-110m.json', (route) => route.fulfill({ status: 503, body: 'down' }));
        await q.goto(`${api.url}/`);
        const failure = q.locator('.map-error');
        await failure.waitFor({ state: 'visible', timeout: 15_000 });
        expect(await failure.textContent()).toContain('The country outlines could not be loaded (503');
        await q.locator('#map g.marker').first().waitFor({ state: 'attached', timeout: 15_000 });
        expect(await q.locator('#map path.country').count()).toBe(0);
        expect(await q.locator('#map-summary').textContent()).toContain('outlines unavailable');
        // The rest of the page is unaffected.
        await waitFor('every card', async () => ((await cards(q).count()) >= seeded ? true : undefined), 15_000, 100);
        await shot(q, 'map-failed');
        await q.unroute('**/assets/map/countries-110m.json');
        await failure.getByRole('button', { name: 'Retry' }).click();
        await q.locator('#map path.country').first().waitFor({ state: 'attached', timeout: 15_000 });
        expect(await failure.isHidden()).toBe(true);
        expect(await q.locator('#map-summary').textContent()).not.toContain('outlines unavailable');
      } finally {
        await q.close();
      }
    });

    it('on a phone the entries come first and the map after them', async () => {
      const ctx = await context.browser()?.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
      const q = ctx ? await ctx.newPage() : await context.newPage();
      if (!ctx) await q.setViewportSize({ width: 390, height: 844 });
      try {
        await q.goto(`${api.url}/`);
        await q.locator('#map g.marker').first().waitFor({ state: 'attached', timeout: 30_000 });
        const firstCard = (await cards(q).first().boundingBox())!;
        const map = (await q.locator('.map-panel').boundingBox())!;
        expect(firstCard.y).toBeLessThan(844);
        expect(map.y).toBeGreaterThan(firstCard.y);
        expect(map.width).toBeLessThanOrEqual(390);
        await q.locator('.map-panel').scrollIntoViewIfNeeded();
        await shot(q, 'phone-map');
      } finally {
        await q.close();
        await ctx?.close();
      }
    });

    it('loaded nothing from elsewhere and ran without console errors or CSP violations', () => {
      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
    });
  });

  describe('1. a tab in the background gives its live connection back (the per-IP cap behind one office NAT)', () => {
    it('hidden a minute: the stream is released for another viewer; shown again: it catches up on what it missed', async () => {
      const capped = await dash.startApp('timeline-api', { API_STREAM_MAX_PER_CLIENT: '1' });
      const p = await context.newPage();
      const setHidden = (hidden: boolean) =>
        p.evaluate((h) => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
          document.dispatchEvent(new Event('visibilitychange'));
        }, hidden);
      try {
        await p.clock.install();
        await p.goto(`${capped.url}/`);
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 20_000 });
        // The page holds the one place: another viewer behind the same address is refused.
        const refused = await openEventStream(`${capped.url}/v1/stream`);
        expect(refused.status).toBe(429);
        refused.close();

        await setHidden(true);
        await p.clock.fastForward(30_000);
        expect(await p.locator('#live-status').getAttribute('data-state')).toBe('live');
        await p.clock.fastForward(31_000);
        await p.locator('#live-status[data-state="background"]').waitFor({ timeout: 5_000 });
        expect(await p.locator('#live-reason').textContent()).toContain('gave its live connection back');
        const other = await waitFor(
          'the place to be free',
          async () => {
            const s = await openEventStream(`${capped.url}/v1/stream`);
            if (s.status === 200) return s;
            s.close();
            return undefined;
          },
          10_000,
          200,
        );
        other.close();

        // Published while the tab was away: shown again, the page resumes from its last id and shows it.
        const missed = statementIssued({
          occurredAt: '2022-02-16T00:00:00Z',
          summary: 'Background check: published while the tab was hidden',
        });
        await publish(missed);
        await waitFor('it to be projected', async () => ((await apiTotal()) > seeded ? true : undefined), 30_000, 200);
        await setHidden(false);
        await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 20_000 });
        await p.locator(`#entry-${missed.eventId}`).waitFor({ state: 'attached', timeout: 20_000 });
        await shot(p, 'live-background-resumed');
        seeded = await apiTotal();
        listed = ((await (await fetch(`${api.url}/v1/timeline?limit=200`)).json()) as { data: Listed[] }).data;
      } finally {
        await p.close();
      }
    });
  });

  describe('4. the confirmation filter', () => {
    it('"Reported only" shows the reported entries, in the URL and after a reload', async () => {
      const p = await openPage(`${api.url}/`);
      try {
        const reported = await apiTotal('confirmation=reported');
        expect(reported).toBe(listed.filter((e) => e.confirmation === 'reported').length);
        expect(reported).toBeGreaterThan(0);
        expect(reported).toBeLessThan(seeded);
        await p.locator('#f-confirmation').selectOption('reported');
        await waitForCount(p, reported, 'reported entries only');
        expect(await cards(p).locator('.badge-reported').count()).toBe(reported);
        expect(new URL(p.url()).searchParams.get('confirmation')).toBe('reported');
        expect(await p.locator('#export-csv').getAttribute('href')).toContain('confirmation=reported');
        await p.reload();
        await waitForCount(p, reported, 'the same after a reload');
        expect(await p.locator('#f-confirmation').inputValue()).toBe('reported');
        await shot(p, 'filter-confirmation');
        await p.locator('#f-confirmation').selectOption('confirmed');
        await waitForCount(p, seeded - reported, 'confirmed entries only');
      } finally {
        await p.close();
      }
    });
  });

  describe('8. a keyboard walk-through of the main tasks', () => {
    let p: Page;
    let historyCard = '';
    const problems: string[] = [];
    const active = () =>
      p.evaluate(() => {
        const a = document.activeElement as HTMLElement | null;
        return {
          id: a?.id ?? '',
          tag: a?.tagName.toLowerCase() ?? '',
          cls: a?.getAttribute('class') ?? '',
          card: a?.closest('article.card')?.id ?? '',
          // Which of a card's disclosures (history, corroboration, duplicates) holds the focus.
          panel: a?.closest<HTMLElement>('details[data-panel]')?.dataset.panel ?? '',
          value: (a as HTMLInputElement | null)?.value ?? '',
          action: a?.getAttribute('data-action') ?? '',
        };
      });
    type Focus = Awaited<ReturnType<typeof active>>;
    /** Presses Tab (only the keyboard) until the focused element is the one wanted. */
    const tabTo = async (what: string, wanted: (f: Focus) => boolean, max = 600): Promise<Focus> => {
      for (let i = 0; i < max; i++) {
        await p.keyboard.press('Tab');
        const f = await active();
        if (wanted(f)) return f;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    /** The focused element is visible on screen (the page scrolled to it) with a visible focus ring. */
    const expectVisibleFocus = async () => {
      const ring = await p.evaluate(() => {
        const a = document.activeElement as HTMLElement;
        const r = a.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, outline: getComputedStyle(a).outlineStyle };
      });
      expect(ring.bottom).toBeGreaterThan(0);
      expect(ring.top).toBeLessThan(1000);
      expect(ring.outline).not.toBe('none');
    };
    beforeAll(async () => {
      p = await openPage(`${api.url}/`, problems);
      await p.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
      await p.locator('body').evaluate((b) => (b as HTMLElement).focus());
    });
    afterAll(async () => {
      await p?.close();
    });

    it('search: Tab to the search box, type, the list narrows', async () => {
      const first = await tabTo('the skip link', () => true, 1);
      expect(first.cls).toContain('skip-link');
      await tabTo('the search box', (f) => f.id === 'f-q');
      await p.keyboard.type('Peskov');
      const peskov = await apiTotal('q=Peskov');
      expect(peskov).toBeGreaterThan(0);
      await waitForCount(p, peskov, 'the search results');
      expect(await cards(p).locator('mark').count()).toBeGreaterThan(0);
      await shot(p, 'keyboard-search');
      await p.keyboard.press('Control+A');
      await p.keyboard.press('Backspace');
      await waitForCount(p, seeded, 'every card again');
    });

    it('filter: Tab to an event type, Space checks it; the confirmation list by arrow keys', async () => {
      await tabTo('the "Statement issued" box', (f) => f.id === 'type-statement.issued');
      await p.keyboard.press('Space');
      await waitForCount(p, await apiTotal('type=statement.issued'), 'statements only');
      await expectVisibleFocus();
      await shot(p, 'keyboard-filter');
      await p.keyboard.press('Space');
      await waitForCount(p, seeded, 'every card again');
      await tabTo('the confirmation list', (f) => f.id === 'f-confirmation');
      await p.keyboard.press('ArrowDown');
      await p.keyboard.press('ArrowDown');
      await waitForCount(p, await apiTotal('confirmation=reported'), 'reported only');
      await p.keyboard.press('Home');
      await waitForCount(p, seeded, 'every card again');
    });

    it('history: Tab into the list, Enter opens an entry’s version history', async () => {
      const f = await tabTo('a version history', (x) => x.tag === 'summary' && x.card !== '' && x.panel === 'history');
      await p.keyboard.press('Enter');
      historyCard = f.card;
      const card = p.locator(`#${f.card}`);
      await card.locator('.history-list').waitFor({ timeout: 15_000 });
      expect(await card.locator('details.history').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      await expectVisibleFocus();
      await shot(p, 'keyboard-history');
    });

    it('permalink: Tab to an entry’s link, Enter puts it in the address and opens it', async () => {
      const f = await tabTo('a permalink', (x) => x.cls.includes('permalink'));
      await p.keyboard.press('Enter');
      await waitFor('the permalink in the URL', async () => (new URL(p.url()).hash === `#${f.card}` ? true : undefined), 5_000, 50);
      // hashchange comes after the URL changed: the card takes focus then.
      await waitFor('the card to take focus', async () => ((await active()).id === f.card ? true : undefined), 5_000, 50);
      // Nothing reloads (a fragment navigation fires popstate too): the history opened before is still open.
      await new Promise((r) => setTimeout(r, 500));
      expect(await p.locator(`#${historyCard} details.history`).evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      const box = (await p.locator(`#${f.card}`).boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeLessThan(300);
      await shot(p, 'keyboard-permalink');
    });

    it('map: one Tab stop, arrow keys between markers, Enter opens, Escape closes', async () => {
      // Shift+Tab back up the page to the map (it is before the list in the page's order).
      let f: Focus = await active();
      for (let i = 0; i < 600 && !f.cls.includes('marker'); i++) {
        await p.keyboard.press('Shift+Tab');
        f = await active();
      }
      expect(f.cls).toContain('marker');
      const stops = await p.locator('#map g.marker[tabindex="0"]').count();
      expect(stops).toBe(1);
      const before = await p.evaluate(() => document.activeElement!.getAttribute('data-key'));
      await p.keyboard.press('ArrowRight');
      const after = await p.evaluate(() => document.activeElement!.getAttribute('data-key'));
      expect(after).not.toBe(before);
      expect(await p.locator('#map g.marker[tabindex="0"]').getAttribute('data-key')).toBe(after);
      // Enter on a spread-out cluster zooms in, focus on the markers; on to a tight cluster, whose
      // Enter lists its entries with focus on the first; Escape returns to the marker.
      let g = await active();
      for (let round = 0; round < 6 && g.action !== 'list'; round++) {
        const n = await p.locator('#map g.marker').count();
        for (let i = 0; i < n && g.action !== 'list'; i++) {
          await p.keyboard.press('ArrowRight');
          g = await active();
        }
        if (g.action === 'list') break;
        for (let i = 0; i < n && g.action !== 'zoom'; i++) {
          await p.keyboard.press('ArrowRight');
          g = await active();
        }
        expect(g.action).toBe('zoom');
        await p.keyboard.press('Enter');
        g = await active();
        expect(g.cls).toContain('marker');
      }
      expect(g.action).toBe('list');
      expect(g.cls).toContain('is-cluster');
      await p.keyboard.press('Enter');
      await p.locator('#map-popup').waitFor({ state: 'visible' });
      expect(await p.evaluate(() => document.activeElement?.closest('#map-popup') !== null)).toBe(true);
      await shot(p, 'keyboard-map');
      await p.keyboard.press('Escape');
      expect(await p.locator('#map-popup').isHidden()).toBe(true);
      expect((await active()).cls).toContain('is-cluster');
      await p.keyboard.press('Enter');
      await p.locator('#map-popup').waitFor({ state: 'visible' });
      await p.keyboard.press('Enter');
      expect((await active()).card).toMatch(/^entry-/);
    });

    it('replay: Tab to the replay panel, choose a speed, Enter plays, Enter goes back', async () => {
      await tabTo('the replay speed', (f) => f.id === 'replay-speed');
      await p.keyboard.press('End');
      expect(await p.locator('#replay-speed').inputValue()).toBe('604800');
      await tabTo('Play', (f) => f.id === 'replay-play');
      await p.keyboard.press('Enter');
      await p.locator('#replay-panel').waitFor({ state: 'visible', timeout: 10_000 });
      await waitFor(
        'the replay to finish',
        async () => ((await p.locator('#replay-status').textContent())?.startsWith('Replay finished') ? true : undefined),
        60_000,
        200,
      );
      await shot(p, 'keyboard-replay');
      await tabTo('Back to the timeline', (f) => f.id === 'replay-back');
      await p.keyboard.press('Enter');
      expect(await p.locator('#replay-panel').isHidden()).toBe(true);
      expect(await p.locator('#timeline').isVisible()).toBe(true);
    });

    it('ran without console errors', () => {
      expect(problems).toEqual([]);
    });
  });
});
