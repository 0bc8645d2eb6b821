import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { hashApiKey } from '@timeline/http';
import {
  ARTIFACTS_DIR,
  denialIssued,
  entryMerged,
  launchBrowser,
  readinessRaised,
  seriousAxeViolations,
  statementIssued,
  testConfig,
  useTestStack,
  waitFor,
  type RawEvent,
  type RunningApp,
} from './support/index.js';

const EDITOR = randomBytes(24).toString('base64url');
const STORY = `dash-corrob-${randomBytes(4).toString('hex')}`;

/** A free TCP port on 127.0.0.1: the API's origin has to be known before ingest starts (its CORS list). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Issue 14, item 5 in Chromium on the real stack (ingest → Kafka → projector → PostgreSQL → timeline
 * API on a private schema): three reports of one alert — a syndicated copy of AFP, AFP, Reuters — and
 * a Kremlin denial pointing at AFP's report with `relatesTo`. The page shows the counts, the outlets,
 * the Disputed badge and the claim thread; an editor types a key, merges Reuters from the card's
 * possible duplicates with one click (the browser posts to ingest across origins) and the list updates
 * live without a reload; Split out in the history brings the report back. axe on every state.
 */
describe('newsroom dashboard: corroboration, claims, merge and split (issue 14)', () => {
  const { env, config } = testConfig({
    KAFKA_TOPIC_PARTITIONS: '3',
    API_KEYS: `dash-corrob:editor:${hashApiKey(EDITOR)}`,
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
  });
  const stack = useTestStack(config, env, ['projector']);
  let ingest: RunningApp;
  let api: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let context: BrowserContext;
  let page: Page;

  const report = (summary: string, source: Record<string, unknown>) =>
    readinessRaised({
      eventId: randomUUID(),
      storyId: STORY,
      occurredAt: '2022-01-24T00:00:00Z',
      summary,
      sources: [{ role: 'reporting', url: `https://news.example/${randomUUID()}`, ...source }],
    });
  const syndicated = report('Pentagon puts 8,500 US troops on heightened alert for NATO', { outlet: 'A News', originOutlet: 'AFP' });
  const afp = report('Pentagon puts about 8,500 US troops on heightened alert', { outlet: 'AFP' });
  const reuters = report('US places 8,500 troops on heightened alert over Ukraine', { outlet: 'Reuters' });
  const denial = denialIssued({
    eventId: randomUUID(),
    storyId: STORY,
    summary: 'Kremlin denies that US troop alerts answer any Russian plan',
    relatesTo: [{ entryId: afp.eventId, relation: 'denies' }],
  });

  // Arrives after the merge and contradicts Reuters' report, which is then part of AFP's entry.
  const contradiction = statementIssued({
    eventId: randomUUID(),
    storyId: STORY,
    summary: 'Kremlin says Reuters misreported the number of troops on alert',
    relatesTo: [{ entryId: reuters.eventId, relation: 'contradicts' }],
  });

  const publish = async (raw: RawEvent) => {
    const { recordedAt: _serverOwned, ...body } = raw;
    const res = await fetch(`${ingest.url}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': EDITOR },
      body: JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };
  const apiEntries = async () =>
    (
      (await (await fetch(`${api.url}/v1/timeline?story=${STORY}&limit=50`)).json()) as {
        data: { id: string; corroboration: { reports: number } }[];
      }
    ).data;
  const card = (id: string) => page.locator(`#entry-${id}`);
  /** The viewport with the AFP card at the top (a full-page shot repeats the sticky masthead mid-page). */
  const shot = async (name: string, focus?: Locator) => {
    if (focus) await focus.evaluate((c) => c.scrollIntoView({ block: 'center' }));
    else {
      await card(afp.eventId).evaluate((c) => c.scrollIntoView({ block: 'start' }));
      await page.evaluate(() => window.scrollBy(0, -90));
    }
    return page.screenshot({ path: path.join(ARTIFACTS_DIR, `dashboard-corroboration-${name}.png`) });
  };

  beforeAll(async () => {
    const apiPort = await freePort();
    ingest = await stack.start('ingest', { ...env, INGEST_CORS_ORIGINS: `http://127.0.0.1:${apiPort}` });
    api = await stack.start('timeline-api', { ...env, API_PORT: String(apiPort), INGEST_PUBLIC_URL: ingest.url });
    for (const e of [syndicated, afp, reuters, denial]) await publish(e);
    // The desk already merged the syndicated copy into AFP's report through ingest.
    await publish(entryMerged(afp, [syndicated], { eventId: randomUUID(), storyId: STORY, occurredAt: new Date().toISOString() }));
    await waitFor(
      'three entries, AFP with two reports',
      async () => {
        const t = await apiEntries();
        return t.length === 3 && t.find((e) => e.id === afp.eventId)?.corroboration.reports === 2 ? true : undefined;
      },
      60_000,
      250,
    );
    browser = await launchBrowser();
    context = browser.context;
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    page = await context.newPage();
    await page.goto(`${api.url}/?story=${STORY}`);
    await waitFor('the three cards', async () => ((await page.locator('article.card').count()) === 3 ? true : undefined), 30_000, 200);
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
  }, 60_000);

  it('the API tells the page where ingest is (and its CSP lets it post there); ingest answers CORS for the dashboard only', async () => {
    const res = await fetch(`${api.url}/assets/dashboard-config.json`);
    expect(await res.json()).toEqual({ ingestUrl: ingest.url });
    const csp = (await fetch(`${api.url}/`)).headers.get('content-security-policy')!;
    expect(csp).toContain(`connect-src 'self' ${ingest.url}`);
    const preflight = (origin: string) =>
      fetch(`${ingest.url}/v1/events`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-api-key' },
      });
    const ok = await preflight(new URL(api.url).origin);
    expect(ok.headers.get('access-control-allow-origin')).toBe(new URL(api.url).origin);
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-api-key');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('shows the counts with the outlets listed, the Disputed badge linking to the denial, and the claim thread both ways', async () => {
    const count = card(afp.eventId).locator('details.corroboration > summary');
    expect(await count.textContent()).toBe('2 reports · 1 independent outlet');
    await count.click();
    expect(await card(afp.eventId).locator('.outlet-list li').allTextContents()).toEqual(['AFP']);
    // One report, one outlet: no corroboration line, the Sources line says it.
    expect(await card(reuters.eventId).locator('details.corroboration').count()).toBe(0);

    const badge = card(afp.eventId).locator('a.badge-disputed');
    await waitFor('the badge to point at the denial', async () =>
      (await badge.getAttribute('href')) === `#entry-${denial.eventId}` ? true : undefined,
    );
    expect((await badge.textContent())!.startsWith('Disputed')).toBe(true);
    expect(await card(denial.eventId).locator('a.badge-disputed').count()).toBe(0);

    const thread = (id: string) => card(id).locator('section.claims li.claim');
    expect(await thread(afp.eventId).allTextContents()).toEqual([`Denied by ${denial.summary}`]);
    expect(await thread(denial.eventId).allTextContents()).toEqual([`Denies ${afp.summary}`]);
    expect(await thread(denial.eventId).locator('a').getAttribute('href')).toBe(`#entry-${afp.eventId}`);
    expect(await seriousAxeViolations(page, 'counts, badge and thread')).toEqual([]);
    await shot('thread');

    await badge.click();
    await waitFor('the denial revealed', async () =>
      (await card(denial.eventId).getAttribute('class'))?.includes('is-target') ? true : undefined,
    );
  });

  it('an editor merges a likely duplicate with one click; the list updates live, without a reload', async () => {
    // No editor actions before a key is given.
    expect(await page.locator('details.candidates').count()).toBe(0);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const panel = page.locator('#editor');
    expect(await panel.isVisible()).toBe(true);

    // A wrong key: ingest's own refusal is shown on the card.
    await page.fill('#editor-key', 'not-the-key');
    await page.click('#editor-form button[type=submit]');
    const candidates = card(afp.eventId).locator('details.candidates');
    await candidates.locator('summary').click();
    const reutersCandidate = candidates.locator(`li.candidate[data-candidate="${reuters.eventId}"]`);
    await reutersCandidate.waitFor({ timeout: 15_000 });
    await reutersCandidate.locator('button.merge-button').click();
    await waitFor('the refusal', async () =>
      /Ingest refused it: .*not valid/.test((await candidates.locator('.editor-status').textContent()) ?? '') ? true : undefined,
    );
    await page.click('#editor-forget');
    expect(await page.locator('details.candidates').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('timeline.editorKey'))).toBeNull();

    await page.fill('#editor-key', EDITOR);
    await page.click('#editor-form button[type=submit]');
    expect(await page.evaluate(() => sessionStorage.getItem('timeline.editorKey'))).toBe(EDITOR);
    expect(page.url()).not.toContain(EDITOR);
    expect(await page.evaluate(() => localStorage.getItem('timeline.editorKey'))).toBeNull();

    // Forgetting the key took the editor actions away; with the key back they return.
    await candidates.locator('summary').click();
    await reutersCandidate.waitFor({ timeout: 15_000 });
    const head = await reutersCandidate.locator('.candidate-head').textContent();
    expect(head).toMatch(/^match \d+%/);
    expect(await reutersCandidate.locator('.candidate-reasons li').allTextContents()).toEqual(expect.arrayContaining(['same type']));
    expect(await seriousAxeViolations(page, 'editor mode, possible duplicates')).toEqual([]);
    await shot('candidates', reutersCandidate);

    await reutersCandidate.locator('button.merge-button').click();
    await card(reuters.eventId).waitFor({ state: 'detached', timeout: 30_000 });
    const count = card(afp.eventId).locator('details.corroboration > summary');
    await waitFor('the survivor’s counts', async () =>
      (await count.textContent()) === '3 reports · 2 independent outlets' ? true : undefined,
    );
    expect(await card(afp.eventId).locator('a.badge-disputed').count()).toBe(1);
    expect(await page.locator('article.card').count()).toBe(2);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect((await apiEntries()).map((e) => e.id).sort()).toEqual([afp.eventId, denial.eventId].sort());
    expect(await seriousAxeViolations(page, 'after the merge')).toEqual([]);
    await shot('merged');

    // The sidebar's "Independent outlets" filter (minIndependentSources) narrows to the corroborated entry.
    await page.selectOption('#f-sources', '2');
    await waitFor('only AFP', async () => ((await page.locator('article.card').count()) === 1 ? true : undefined));
    expect(await card(afp.eventId).count()).toBe(1);
    expect(page.url()).toContain('minIndependentSources=2');
    await page.selectOption('#f-sources', '0');
    await waitFor('both again', async () => ((await page.locator('article.card').count()) === 2 ? true : undefined));
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 15_000 });

    // A claim about a merged report lands in the survivor's thread, live.
    await publish(contradiction);
    await card(contradiction.eventId).waitFor({ state: 'attached', timeout: 30_000 });
    await waitFor('the contradiction in AFP’s thread', async () =>
      (await card(afp.eventId).locator('section.claims li.claim').allTextContents()).includes(`Contradicted by ${contradiction.summary}`)
        ? true
        : undefined,
    );
  });

  it('Split out in the survivor’s history brings the report back, live', async () => {
    const history = card(afp.eventId).locator('details.history');
    await history.locator('summary').click();
    const reports = history.locator('section.reports li.report');
    await reports.first().waitFor({ timeout: 15_000 });
    expect((await reports.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.report))).sort()).toEqual(
      [syndicated.eventId, reuters.eventId].sort(),
    );
    expect(await history.locator('.history-meta').last().textContent()).toMatch(/· merged ·/);
    expect(await seriousAxeViolations(page, 'history with reports')).toEqual([]);
    await shot('history', history.locator('section.reports'));

    await history.locator(`li.report[data-report="${reuters.eventId}"] button.split-button`).click();
    await card(reuters.eventId).waitFor({ state: 'attached', timeout: 30_000 });
    await waitFor('the survivor back to two reports', async () =>
      (await card(afp.eventId).locator('details.corroboration > summary').textContent()) === '2 reports · 1 independent outlet'
        ? true
        : undefined,
    );
    expect(await page.locator('article.card').count()).toBe(4);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The contradiction follows Reuters' report out of the survivor (the card is re-read after the split arrives).
    await waitFor('Reuters’ thread with the contradiction', async () =>
      (await card(reuters.eventId).locator('section.claims li.claim').allTextContents()).join('|') ===
      `Contradicted by ${contradiction.summary}`
        ? true
        : undefined,
    );
    await waitFor('AFP’s thread without it', async () =>
      (await card(afp.eventId).locator('section.claims li.claim').allTextContents()).join('|') === `Denied by ${denial.summary}`
        ? true
        : undefined,
    );
    await shot('split');
  });

  it('fits a phone: the counts and the thread on the card, the editor panel in the filter drawer', async () => {
    const phone = await context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${api.url}/?story=${STORY}`);
      const afpCard = phone.locator(`#entry-${afp.eventId}`);
      await afpCard.locator('details.corroboration > summary').waitFor({ timeout: 30_000 });
      expect(await phone.locator('#editor').isVisible()).toBe(false);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await afpCard.locator('details.corroboration > summary').click();
      await afpCard.evaluate((c) => c.scrollIntoView({ block: 'start' }));
      expect(await seriousAxeViolations(phone, 'phone')).toEqual([]);
      await phone.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard-corroboration-phone.png') });
      await phone.click('#filters-toggle');
      await phone.locator('#editor').waitFor({ state: 'visible' });
    } finally {
      await phone.close();
    }
  });

  it('speaks Ukrainian too (the counts in the plural forms of the language)', async () => {
    const uk = await context.newPage();
    await uk.goto(`${api.url}/?story=${STORY}`);
    await uk.selectOption('#ui-lang', 'uk');
    await uk.waitForLoadState('load');
    const count = uk.locator(`#entry-${afp.eventId} details.corroboration > summary`);
    await count.waitFor({ timeout: 30_000 });
    expect(await count.textContent()).toBe('2 повідомлення · 1 незалежне видання');
    expect(await uk.locator(`#entry-${afp.eventId} a.badge-disputed`).textContent()).toMatch(/^Оспорено/);
    expect(await uk.locator(`#entry-${afp.eventId} section.claims li.claim`).first().textContent()).toMatch(/^Заперечено в /);
    await uk.evaluate(() => localStorage.removeItem('timeline.uiLocale'));
    await uk.close();
  });
});
