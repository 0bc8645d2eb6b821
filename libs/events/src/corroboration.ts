import type { OutletKind, Source } from './common.js';

/** One report behind an entry: the entry's own event or one merged into it. */
export interface CorroborationReport {
  /** When the system recorded the report (RFC 3339). */
  readonly recordedAt: string;
  readonly sources: readonly Source[];
}

/** How well an entry is corroborated (issue 14), as stored on the entry and returned by the API. */
export interface Corroboration {
  /** Reports behind the entry: 1 + the entries merged into it. */
  readonly reports: number;
  /** Distinct originating outlets over every source of every report (a syndicated copy counts for its origin). */
  readonly independentOutlets: number;
  /** Those outlets' names (the first spelling seen), in order of their normalized key. */
  readonly outlets: string[];
  /** The independent outlets by kind; the three add up to `independentOutlets`. */
  readonly roles: { readonly primary: number; readonly party: number; readonly media: number };
  /** Earliest of the sources' publishedAt/firstSeenAt and the reports' recordedAt (UTC, ms). */
  readonly firstReportedAt: string | null;
  /** Latest of the same instants: when a report last confirmed the entry. */
  readonly lastConfirmedAt: string | null;
}

/** Same agency, several spellings: the key every spelling normalizes to. */
const ALIASES: Record<string, string> = {
  ap: 'associated press',
  'the associated press': 'associated press',
  afp: 'agence france presse',
  dpa: 'deutsche presse agentur',
  'reuters news agency': 'reuters',
  'thomson reuters': 'reuters',
};

/** The comparison key of an outlet name: lower case, punctuation and "The" dropped, spaces collapsed, agency aliases folded. */
export function normalizeOutlet(name: string): string {
  const key = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ALIASES[key] ?? ALIASES[key.replace(/^the /, '')] ?? key;
}

/** `Name (inner)` at the end of an outlet string. */
const PARENTHESIZED = /^(.*\S)\s*\(([^()]+)\)$/;

/**
 * The outlet a source's story originated at: `originOutlet` when the producer said so; otherwise the
 * dataset's naming convention — `Reuters (via National Post)` is Reuters' story seen via a republisher,
 * `A News (AFP)` is an AFP story published by A News. A parenthesis that describes rather than names
 * (`(Financial Times feed)`, `(translated repost)`: a lower-case word longer than three letters) is not
 * read as an outlet, and the whole string is the outlet.
 */
export function originOf(source: Pick<Source, 'outlet' | 'originOutlet'>): string {
  if (source.originOutlet) return source.originOutlet.trim();
  const m = PARENTHESIZED.exec(source.outlet.trim());
  if (!m) return source.outlet.trim();
  const [, outer, inner] = m as unknown as [string, string, string];
  const via = /^via\s+(.+)$/i.exec(inner.trim());
  if (via) return outer.trim();
  const describes = inner.split(/\s+/).some((w) => /^[a-z]{4,}$/.test(w));
  return describes ? source.outlet.trim() : inner.trim();
}

/** The kind of a source's outlet: stated, else `primary` for a primary source and `media` for any other. */
export function outletKindOf(source: Pick<Source, 'role' | 'outletKind'>): OutletKind {
  return source.outletKind ?? (source.role === 'primary' ? 'primary' : 'media');
}

const instant = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
};

/**
 * Corroboration of an entry from its reports (pure and order-independent except for which spelling
 * of an outlet is shown: the first seen, reports in the order given). A party's own outlet counts as
 * an independent *outlet* but under `roles.party`, so a client can ask for media corroboration.
 */
export function corroborationOf(reports: readonly CorroborationReport[]): Corroboration {
  const origins = new Map<string, { name: string; kind: OutletKind; stated: boolean }>();
  const times: number[] = [];
  for (const r of reports) {
    const recorded = instant(r.recordedAt);
    if (recorded !== undefined) times.push(recorded);
    for (const s of r.sources) {
      const name = originOf(s);
      const key = normalizeOutlet(name);
      if (!key) continue;
      const seen = origins.get(key);
      // A syndicated copy says nothing about the kind of the originating outlet unless stated.
      const kind = outletKindOf(s);
      const stated = s.outletKind !== undefined;
      if (!seen) origins.set(key, { name, kind, stated });
      else if (stated && !seen.stated) origins.set(key, { ...seen, kind, stated });
      for (const t of [instant(s.publishedAt), instant(s.firstSeenAt)]) if (t !== undefined) times.push(t);
    }
  }
  const keys = [...origins.keys()].sort();
  const roles = { primary: 0, party: 0, media: 0 };
  for (const k of keys) roles[origins.get(k)!.kind]++;
  return {
    reports: reports.length,
    independentOutlets: keys.length,
    outlets: keys.map((k) => origins.get(k)!.name),
    roles,
    firstReportedAt: times.length ? new Date(Math.min(...times)).toISOString() : null,
    lastConfirmedAt: times.length ? new Date(Math.max(...times)).toISOString() : null,
  };
}
