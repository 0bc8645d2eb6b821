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
    .map((l) => JSON.parse(l) as { eventId: string; occurredAt: string });

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

  it('explains a bad window instead of starting', async () => {
    await page.locator('#replay-from').fill('2022-01-26');
    await page.locator('#replay-to').fill('2022-01-20');
    await page.locator('#replay-play').click();
    expect(await page.locator('#replay-form-error').textContent()).toBe('“To” must not be before “From”.');
    expect(await page.locator('#replay-panel').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });
});
