import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS_DIR,
  ROOT,
  launchBrowser,
  projectorTestbed,
  runCli,
  startApp,
  testConfig,
  waitFor,
  waitForCaughtUp,
  type ProjectorTestbed,
  type RunningApp,
} from './support/index.js';

/** The dashboard's replay mode in Debian's Chromium, fed by GET /v1/replay of the seeded dataset. */
describe('dashboard replay mode in a real browser', () => {
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '3' });
  let bed: ProjectorTestbed;
  let apps: RunningApp[] = [];
  let api: RunningApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const problems: string[] = [];

  const dataset = fs
    .readFileSync(path.join(ROOT, 'data', 'datasets', 'russia-ukraine-2022.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map(
      (l) =>
        JSON.parse(l) as {
          eventId: string;
          type: string;
          occurredAt: string;
          actors: { country?: string }[];
          locations: { country: string }[];
        },
    );

  beforeAll(async () => {
    bed = await projectorTestbed(config, 3);
    apps = await Promise.all([startApp('projector', env), startApp('timeline-api', env)]);
    api = apps[1]!;
    const seed = await runCli(['seed'], env);
    if (seed.code !== 0) throw new Error(`seed failed:\n${seed.stdout}\n${seed.stderr}`);
    await waitForCaughtUp(bed.ds, bed.kafka, config.kafka.eventsTopic, 90_000);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.stop()));
    await bed?.close();
  });

  it('replays a week of the crisis in place of the timeline, in order, then returns to the timeline', async () => {
    const week = dataset
      .filter(
        (e) =>
          Date.parse(e.occurredAt) >= Date.parse('2022-01-20T00:00:00Z') && Date.parse(e.occurredAt) < Date.parse('2022-01-27T00:00:00Z'),
      )
      .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    expect(week.length).toBeGreaterThan(5);
    await page.goto(`${api.url}/`);
    await page.locator('#timeline article.card').first().waitFor({ timeout: 30_000 });
    const timelineCards = await page.locator('#timeline article.card').count();

    await page.locator('#replay-from').fill('2022-01-20');
    await page.locator('#replay-to').fill('2022-01-26');
    await page.locator('#replay-speed').selectOption('604800');
    await page.locator('#replay-play').click();
    await page.locator('#replay-panel').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#timeline').isHidden()).toBe(true);
    await waitFor(
      'the replay to finish',
      async () => ((await page.locator('#replay-status').textContent())?.startsWith('Replay finished') ? true : undefined),
      60_000,
      200,
    );
    expect(await page.locator('#replay-status').textContent()).toBe(`Replay finished: ${week.length} events.`);
    // Newest first on screen: reversed, the cards are the window in occurredAt order.
    const shown = await page.locator('#replay-events article.card').evaluateAll((cards) => cards.map((c) => c.id.replace(/^replay-/, '')));
    expect(new Set(shown)).toEqual(new Set(week.map((e) => e.eventId)));
    const times = await page
      .locator('#replay-events article.card time')
      .evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime')!)));
    expect([...times].reverse()).toEqual([...times].sort((a, b) => a - b));
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard-replay.png') });

    await page.locator('#replay-back').click();
    expect(await page.locator('#replay-panel').isHidden()).toBe(true);
    expect(await page.locator('#timeline').isVisible()).toBe(true);
    expect(await page.locator('#timeline article.card').count()).toBe(timelineCards);
    expect(problems).toEqual([]);
  });

  it('replays with the timeline’s type, actor and country filters, dates worded as the timeline words them, no highlight left (issue 15)', async () => {
    const inWindow = (e: (typeof dataset)[number]) =>
      Date.parse(e.occurredAt) >= Date.parse('2022-02-20T00:00:00Z') && Date.parse(e.occurredAt) < Date.parse('2022-02-25T00:00:00Z');
    const namesUA = (e: (typeof dataset)[number]) =>
      e.actors.some((a) => a.country === 'UA') || e.locations.some((l) => l.country === 'UA');
    const expected = dataset.filter((e) => inWindow(e) && namesUA(e));
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(dataset.filter(inWindow).length);
    await page.goto(`${api.url}/?country=UA`);
    await page.locator('#timeline article.card').first().waitFor({ timeout: 30_000 });
    await page.locator('#replay-from').fill('2022-02-20');
    await page.locator('#replay-to').fill('2022-02-24');
    await page.locator('#replay-speed').selectOption('604800');
    await page.locator('#replay-play').click();
    await page.locator('#replay-panel').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#replay-scope').textContent()).toBe('Only UA, as in the timeline’s filters.');
    await waitFor(
      'the replay to finish',
      async () => ((await page.locator('#replay-status').textContent())?.startsWith('Replay finished') ? true : undefined),
      60_000,
      200,
    );
    const shown = await page.locator('#replay-events article.card').evaluateAll((cards) => cards.map((c) => c.id.replace(/^replay-/, '')));
    expect(new Set(shown)).toEqual(new Set(expected.map((e) => e.eventId)));
    // The replay is over: no card is left highlighted.
    expect(await page.locator('#replay-events .card.is-new').count()).toBe(0);
    // Each date reads exactly as the same entry's card on the timeline (its own zone, "about" for an
    // hour) — for entries never corrected: a corrected one replays its first version (the recognition
    // entry was first dated 22 February, its correction, replayed after it, moved it to the 21st).
    const dates = await page.evaluate(() =>
      [...document.querySelectorAll('#replay-events article.card')].map((c) => {
        const card = document.querySelector<HTMLElement>(`#entry-${c.id.replace(/^replay-/, '')}`);
        return {
          replay: c.querySelector('time')!.textContent,
          timeline: card?.dataset.version === '1' ? card.querySelector('time.card-date')!.textContent : null,
        };
      }),
    );
    const compared = dates.filter((d) => d.timeline !== null);
    expect(compared.length).toBeGreaterThan(2);
    for (const d of compared) expect(d.replay).toBe(d.timeline);
    expect(dates.map((d) => d.replay)).toContain('24 February 2022, about 05:00 (Europe/Moscow)');
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard-replay-filtered.png') });

    // The type filter too; and stopping mid-way leaves no highlight either.
    await page.locator('#replay-back').click();
    await page.getByRole('checkbox', { name: 'Troops moved' }).check();
    await waitFor(
      'troops only',
      async () => (new URL(page.url()).searchParams.get('type') === 'troops.moved' ? true : undefined),
      10_000,
      100,
    );
    await page.locator('#replay-from').fill('2021-11-01');
    await page.locator('#replay-to').fill('2022-02-24');
    await page.locator('#replay-speed').selectOption('600');
    await page.locator('#replay-play').click();
    await page.locator('#replay-events article.card').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#replay-scope').textContent()).toBe('Only Troops moved · UA, as in the timeline’s filters.');
    await page.locator('#replay-stop').click();
    // A timeline filter the event log cannot apply is named, not silently dropped.
    await page.locator('#f-confirmation').selectOption('reported');
    await waitFor(
      'reported only',
      async () => (new URL(page.url()).searchParams.get('confirmation') === 'reported' ? true : undefined),
      10_000,
      100,
    );
    await page.locator('#replay-play').click();
    await page.locator('#replay-events article.card').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#replay-scope').textContent()).toBe(
      'Only Troops moved · UA, as in the timeline’s filters. The timeline’s confirmation filter does not apply to a replay.',
    );
    const types = dataset.filter((e) => e.type === 'troops.moved' && namesUA(e)).map((e) => e.eventId);
    for (const id of await page.locator('#replay-events article.card').evaluateAll((cs) => cs.map((c) => c.id.replace(/^replay-/, '')))) {
      expect(types).toContain(id);
    }
    expect(await page.locator('#replay-events .card.is-new').count()).toBe(1);
    await page.locator('#replay-stop').click();
    expect(await page.locator('#replay-events .card.is-new').count()).toBe(0);
    expect(await page.locator('#replay-panel').isHidden()).toBe(true);
    await page.getByRole('checkbox', { name: 'Troops moved' }).uncheck();
    await page.locator('#f-confirmation').selectOption('');
    expect(problems).toEqual([]);
  });

  it('explains a bad window instead of starting', async () => {
    await page.locator('#replay-from').fill('2022-01-26');
    await page.locator('#replay-to').fill('2022-01-20');
    await page.locator('#replay-play').click();
    expect(await page.locator('#replay-form-error').textContent()).toBe('“To” must not be before “From”.');
    expect(await page.locator('#replay-panel').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });
});
