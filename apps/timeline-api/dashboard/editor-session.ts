import { problemDetail } from './api-client.js';
import { t } from './i18n.js';

/** sessionStorage key of the editor key: this tab only, gone when it closes, never in the URL or localStorage. */
export const EDITOR_KEY_STORAGE_KEY = 'timeline.editorKey';
/** What the API serves the page about itself (apps/timeline-api/src/dashboard-assets.ts). */
export const DASHBOARD_CONFIG_URL = '/assets/dashboard-config.json';

/** The dashboard's settings: where ingest is for the editor mode (null: the server has none). */
export interface DashboardConfig {
  readonly ingestUrl: string | null;
}

/** A meta event the editor mode publishes (`entry.merged`, `entry.split`), without what ingest sets itself. */
export interface EditorEvent {
  readonly type: 'entry.merged' | 'entry.split';
  readonly storyId: string;
  readonly summary: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Ingest's answer to a refused write, in its own words (problem+json `detail`). */
export class IngestRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'IngestRefusal';
  }
}

/**
 * The editor mode (issue 14): the key an editor typed, kept in sessionStorage, and ingest's URL
 * from the API's dashboard settings. Writes go from the browser straight to ingest (the timeline
 * API only reads); they come back to every open page through the live stream once projected.
 */
export class EditorSession {
  private key: string | null = readSession();
  private readonly listeners = new Set<() => void>();

  constructor(readonly ingestUrl: string | null) {}

  /** Reads the API's settings; a page that cannot read them has no editor mode (reading still works). */
  static async load(): Promise<EditorSession> {
    try {
      const res = await fetch(DASHBOARD_CONFIG_URL, { headers: { Accept: 'application/json' } });
      const config = res.ok ? ((await res.json()) as DashboardConfig) : { ingestUrl: null };
      return new EditorSession(typeof config.ingestUrl === 'string' && config.ingestUrl ? config.ingestUrl : null);
    } catch {
      return new EditorSession(null);
    }
  }

  /** Whether the server has an ingest for the page to write to. */
  get available(): boolean {
    return this.ingestUrl !== null;
  }

  /** Whether editor actions are shown: a key was given in this tab and ingest is known. */
  get active(): boolean {
    return this.available && this.key !== null;
  }

  useKey(key: string): void {
    this.key = key;
    writeSession(key);
    this.changed();
  }

  forget(): void {
    this.key = null;
    writeSession(null);
    this.changed();
  }

  /** Called whenever the mode turns on or off (the cards re-render with or without editor actions). */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /**
   * POSTs one meta event to ingest with the key. Its eventId is made here, so a retried click that
   * reached ingest the first time is the same event again (ingest's idempotency), not a second merge.
   */
  async publish(event: EditorEvent, eventId: string = newEventId()): Promise<void> {
    if (!this.ingestUrl || !this.key) throw new IngestRefusal(0, t('editor.keyEmpty'));
    const body = {
      eventId,
      type: event.type,
      occurredAt: new Date().toISOString(),
      occurredAtPrecision: 'second',
      storyId: event.storyId,
      actors: [],
      locations: [],
      sources: [],
      tags: [],
      confirmation: 'confirmed',
      summary: event.summary,
      payload: event.payload,
    };
    let res: Response;
    try {
      res = await fetch(`${this.ingestUrl}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-API-Key': this.key },
        body: JSON.stringify(body),
      });
    } catch {
      throw new IngestRefusal(0, t('editor.unreachable'));
    }
    if (!res.ok) throw new IngestRefusal(res.status, await problemDetail(res));
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/** A random UUID v4; `crypto.randomUUID` exists only in secure contexts (not on plain http to a LAN host). */
export function newEventId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readSession(): string | null {
  try {
    return sessionStorage.getItem(EDITOR_KEY_STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeSession(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(EDITOR_KEY_STORAGE_KEY);
    else sessionStorage.setItem(EDITOR_KEY_STORAGE_KEY, key);
  } catch {
    /* storage off: the key lives in this page only */
  }
}
