import type { CandidateFacts } from '../read-model/timeline-reader.js';

/** One reason a candidate looks like a duplicate, with what it adds to the score. */
export interface ScoreReason {
  readonly kind:
    'sameType' | 'compatibleType' | 'occurredWithinPrecision' | 'occurredNearby' | 'sharedActors' | 'sharedPlaces' | 'similarText';
  /** Share of the score (0..1) this reason contributed. */
  readonly weight: number;
  readonly detail: string;
}

/** A duplicate score in 0..1 with the reasons behind it (never a decision: nothing merges by itself). */
export interface DuplicateScore {
  readonly score: number;
  readonly reasons: ScoreReason[];
}

/** Types that can describe the same real-world event from different angles (a report of a deployment vs the troop move). */
const COMPATIBLE_TYPES: readonly (readonly string[])[] = [
  ['readiness.raised', 'deployment.announced', 'deployment.considered', 'troops.moved'],
  ['statement.issued', 'concern.expressed', 'denial.issued'],
  ['talks.held', 'negotiations.updated'],
  ['sanctions.announced', 'diplomat.expelled'],
  ['military.action', 'cyber.incident'],
];

const WEIGHTS = { type: 0.2, time: 0.25, actors: 0.15, places: 0.1, text: 0.3 } as const;

const PRECISION_MS = { day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 } as const;
/** UTC offsets span −12:00 to +14:00: a date reported without zone may be that far off another's. */
const TZ_SLACK_MS = 14 * 3_600_000;
/** Beyond this gap (after slack) occurrences say nothing for a duplicate. */
const TIME_HORIZON_MS = 2 * 86_400_000;

/** The occurred interval an entry claims: `[occurredAt, occurredUntil or the end of its precision unit)`. */
function interval(e: CandidateFacts): [number, number] {
  const start = Date.parse(e.occurred_at);
  const end = e.occurred_until ? Date.parse(e.occurred_until) : start + PRECISION_MS[e.occurred_precision];
  return [start, Math.max(start, end)];
}

function jaccard(a: readonly string[], b: readonly string[]): { value: number; shared: string[] } {
  const x = new Set(a.map((v) => v.toLowerCase()));
  const y = new Set(b.map((v) => v.toLowerCase()));
  const shared = [...x].filter((v) => y.has(v)).sort();
  const union = new Set([...x, ...y]).size;
  return { value: union === 0 ? 0 : shared.length / union, shared };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * How likely `b` reports the same event as `a` (issue 14): same or compatible type; occurrences
 * overlapping within their precision — a day-precision date stretched by the widest time-zone
 * offset, because sources date one event differently across zones (DOMAIN.md: the Kyiv embassy
 * order is 23 Jan in Washington, 24 Jan in Kyiv) — decaying to nothing two days further; shared
 * actor ids and places (Jaccard); and the trigram similarity of the summaries (`pg_trgm`).
 */
export function duplicateScore(a: CandidateFacts, b: CandidateFacts, textSimilarity: number): DuplicateScore {
  const reasons: ScoreReason[] = [];
  if (a.type === b.type) reasons.push({ kind: 'sameType', weight: WEIGHTS.type, detail: a.type });
  else if (COMPATIBLE_TYPES.some((g) => g.includes(a.type) && g.includes(b.type))) {
    reasons.push({ kind: 'compatibleType', weight: WEIGHTS.type / 2, detail: `${a.type} ~ ${b.type}` });
  }
  const [as, ae] = interval(a);
  const [bs, be] = interval(b);
  const slack = a.occurred_precision === 'day' || b.occurred_precision === 'day' ? TZ_SLACK_MS : 0;
  const gap = Math.max(0, Math.max(as, bs) - Math.min(ae, be) - slack);
  if (gap === 0) {
    reasons.push({ kind: 'occurredWithinPrecision', weight: WEIGHTS.time, detail: `${a.occurred_precision}/${b.occurred_precision}` });
  } else if (gap < TIME_HORIZON_MS) {
    const hours = Math.round(gap / 3_600_000);
    reasons.push({ kind: 'occurredNearby', weight: round(WEIGHTS.time * (1 - gap / TIME_HORIZON_MS)), detail: `${hours} h apart` });
  }
  const actors = jaccard(a.actor_ids, b.actor_ids);
  if (actors.shared.length)
    reasons.push({ kind: 'sharedActors', weight: round(WEIGHTS.actors * actors.value), detail: actors.shared.join(', ') });
  const places = jaccard(a.location_names, b.location_names);
  if (places.shared.length)
    reasons.push({ kind: 'sharedPlaces', weight: round(WEIGHTS.places * places.value), detail: places.shared.join(', ') });
  const text = Math.min(1, Math.max(0, textSimilarity));
  if (text > 0) reasons.push({ kind: 'similarText', weight: round(WEIGHTS.text * text), detail: `trigram similarity ${round(text)}` });
  const score = round(
    Math.min(
      1,
      reasons.reduce((n, r) => n + r.weight, 0),
    ),
  );
  return { score, reasons };
}
