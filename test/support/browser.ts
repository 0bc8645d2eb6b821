import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT } from './app-process.js';

/** One Server-Sent Event as a browser's EventSource would dispatch it. */
export interface SseMessage {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** A live `text/event-stream` connection read the way EventSource parses it (WHATWG HTML §9.2). */
export interface EventStreamClient {
  readonly status: number;
  readonly headers: Headers;
  /** Every event received so far, in order. */
  readonly events: SseMessage[];
  /** Comment lines received so far (heartbeats), without the leading colon. */
  readonly comments: string[];
  /** The id of the last event that carried one (what EventSource sends as Last-Event-ID). */
  lastEventId(): string | undefined;
  /** Resolves with the first event (already received or future) matching `match`. */
  waitForEvent(match: (e: SseMessage) => boolean, timeoutMs?: number, what?: string): Promise<SseMessage>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * Opens an SSE stream with fetch (so a test can send Last-Event-ID itself and see status codes
 * and problem bodies, which EventSource hides). For non-200 answers, `events` stays empty and the
 * body is available through `problem`.
 */
export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStreamClient & { problem?: unknown }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let lastId: string | undefined;
  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      events,
      comments,
      lastEventId: () => undefined,
      waitForEvent: () => Promise.reject(new Error(`stream answered ${res.status}`)),
      ended: Promise.resolve(),
      close: () => abort.abort(),
      problem: text ? (JSON.parse(text) as unknown) : undefined,
    };
  }
  const ended = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let data: string[] = [];
    let event = '';
    let id: string | undefined;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let nl: number;
        while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (data.length > 0) {
              if (id !== undefined) lastId = id;
              events.push({ ...(id !== undefined ? { id } : {}), event: event || 'message', data: data.join('\n') });
              for (const w of waiters) w();
            }
            data = [];
            event = '';
            id = undefined;
            continue;
          }
          if (line.startsWith(':')) {
            comments.push(line.slice(1).trim());
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(val);
          else if (field === 'event') event = val;
          else if (field === 'id') id = val;
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    } finally {
      for (const w of waiters) w();
    }
  })();
  ended.catch(() => undefined);
  let finished = false;
  void ended.finally(() => (finished = true));
  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    lastEventId: () => lastId,
    ended,
    close: () => abort.abort(),
    waitForEvent: (match, timeoutMs = 30_000, what = 'an SSE event') =>
      new Promise<SseMessage>((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) {
            cleanup();
            resolve(found);
          } else if (finished) {
            cleanup();
            reject(new Error(`stream ended before ${what}; got ${events.map((e) => e.event).join(', ')}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${events.length} events`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Debian's Chromium (installed by `.ci/run` or `apt-get install chromium`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests write screenshots (git-ignored). */
export const ARTIFACTS_DIR = path.join(ROOT, 'test-artifacts');

/**
 * Launches headless Chromium on a fresh, throw-away profile with flags that keep it from phoning
 * home; `close()` removes the profile again.
 */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install Chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
