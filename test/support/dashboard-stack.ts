import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { AppConfig } from '@timeline/config';
import { hashApiKey } from '@timeline/http';
import { ROOT, runCli, type RunningApp } from './app-process.js';
import { ARTIFACTS_DIR, launchBrowser } from './browser.js';
import type { RawEvent } from './event-factory.js';
import { waitForCaughtUp } from './projector-harness.js';
import { testConfig } from './test-config.js';
import { useTestStack, type TestStack } from './test-stack.js';

type AppName = 'ingest' | 'projector' | 'timeline-api';

/** What {@link useDashboardStack} opened for one browser suite (valid inside its tests). */
export interface DashboardStack {
  readonly config: AppConfig;
  readonly env: Record<string, string>;
  /** An editor key ingest accepts (`API_KEYS`). */
  readonly editorKey: string;
  readonly stack: TestStack;
  readonly api: RunningApp;
  readonly ingest: RunningApp;
  /** Chromium's context (desktop 1440 × 1000). */
  readonly context: BrowserContext;
  /** Entries on the timeline once the seed dataset was projected. */
  readonly seeded: number;
  /** Another app process on the suite's schema and topics (`env` plus `overrides`), stopped with the stack. */
  startApp(name: AppName, overrides?: Record<string, string>): Promise<RunningApp>;
  /** `total` of `/v1/stats?<qs>`. */
  apiTotal(qs?: string): Promise<number>;
  /** POSTs one event to ingest with the editor key; expects 202. */
  publish(raw: RawEvent): Promise<void>;
  /** A screenshot `dashboard-<name>.png` in test-artifacts/. */
  shot(p: Page, name: string): Promise<unknown>;
}

/**
 * The dashboard's browser suites' stack: the built projector, ingest and timeline API on a private
 * schema and 3-partition topics of the shared infrastructure ({@link useTestStack}), the shipped
 * Russia–Ukraine dataset published by `cli seed` and projected, and Debian's Chromium — opened in
 * `beforeAll`, torn down in `afterAll`.
 */
export function useDashboardStack(name: string): DashboardStack {
  const editorKey = `${name}-editor-key-0123456789`;
  const { env, config } = testConfig({ KAFKA_TOPIC_PARTITIONS: '3', API_KEYS: `e2e-editor:editor:${hashApiKey(editorKey)}` });
  const stack = useTestStack(config, env, ['projector', 'ingest', 'timeline-api']);
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let seeded: number | undefined;

  const opened = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the dashboard stack's ${what} is not open (see beforeAll)`);
    return v;
  };
  const apiTotal = async (qs = '') =>
    ((await (await fetch(`${stack.app('timeline-api').url}/v1/stats?${qs}`)).json()) as { total: number }).total;

  beforeAll(async () => {
    const seed = await runCli(['seed', path.join(ROOT, 'data', 'datasets', 'russia-ukraine-2022.ndjson')], env);
    if (seed.code !== 0) throw new Error(`seed failed:\n${seed.stdout}\n${seed.stderr}`);
    await waitForCaughtUp(stack.ds, stack.kafka, config.kafka.eventsTopic, 90_000);
    seeded = await apiTotal();
    browser = await launchBrowser();
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
  }, 60_000);

  return {
    config,
    env,
    editorKey,
    stack,
    get api() {
      return stack.app('timeline-api');
    },
    get ingest() {
      return stack.app('ingest');
    },
    get context() {
      return opened(browser, 'browser').context;
    },
    get seeded() {
      return opened(seeded, 'seeded timeline');
    },
    startApp: (app, overrides = {}) => stack.start(app, { ...env, ...overrides }),
    apiTotal,
    publish: async (raw) => {
      const { recordedAt: _serverOwned, ...body } = raw;
      const res = await fetch(`${stack.app('ingest').url}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': editorKey },
        body: JSON.stringify(body),
      });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    },
    shot: (p, shotName) => p.screenshot({ path: path.join(ARTIFACTS_DIR, `dashboard-${shotName}.png`) }),
  };
}

const AXE_SOURCE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not
 * govern) and returns its serious and critical violations, one line per node (5 per rule at most),
 * each starting with `state`.
 */
export async function seriousAxeViolations(p: Page, state: string): Promise<string[]> {
  await p.evaluate(fs.readFileSync(AXE_SOURCE, 'utf8'));
  const result = await p.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.targets
        .slice(0, 5)
        .map((t) => `${state}: ${v.impact} ${v.id} at ${t}${v.targets.length > 5 ? ` (+${v.targets.length - 5} more)` : ''}`),
    );
}
