import { ApiProblem, timelineApi, type ApiSchemas } from './api-client.js';
import { h } from './dom.js';
import { IngestRefusal, type EditorEvent, type EditorSession } from './editor-session.js';
import { typeLabel } from './entry-types.js';
import { formatRecordedInstant, hasMessage, t, uiLocale } from './i18n.js';
import type { MessageKey } from './messages.js';
import type { Entry } from './timeline-model.js';

/*
 * Issue 14 on the card: how many reports and independent outlets stand behind an entry, whether
 * another entry denies it, the claim thread both ways, and — in the editor mode — the likely
 * duplicates to merge and the merged reports to split out again.
 */

export type Relation = ApiSchemas['RelationDto'];
type Relations = ApiSchemas['RelationsDto'];
type Candidate = ApiSchemas['CandidateDto'];
type Report = ApiSchemas['ReportDto'];
type RelationKind = 'denies' | 'contradicts' | 'confirms' | 'respondsTo';

/** What a card needs beyond its entry: the editor mode, and relations the other loaded entries have to it. */
export interface CardContext {
  readonly editor?: EditorSession;
  /** Relations of loaded entries that point at `id` (the live stream and the list carry only outgoing ones). */
  incoming(id: string): readonly Relation[];
}

type EntryDetail = Awaited<ReturnType<typeof timelineApi.entry>>;
const details = new Map<string, Promise<EntryDetail>>();

/** `/v1/entries/:id` once per entry version and "as known at" (the badge and the thread both need it). */
function entryDetail(e: Entry, asOf: string): Promise<EntryDetail> {
  const key = `${e.id}@${e.version}@${asOf}`;
  let d = details.get(key);
  if (!d) {
    d = timelineApi.entry(e.id, asOf || undefined);
    details.set(key, d);
    d.catch(() => details.delete(key));
  }
  return d;
}

/** A card rendered without a dashboard around it (tests, the replay): no editor, nothing known about other entries. */
export const NO_CONTEXT: CardContext = { incoming: () => [] };

/** Relations that make their target disputed (the API's `disputed`). */
const DISPUTING: readonly string[] = ['denies', 'contradicts'];
const RELATION_KINDS: readonly RelationKind[] = ['denies', 'contradicts', 'confirms', 'respondsTo'];

function relationKind(r: string): RelationKind {
  return (RELATION_KINDS as readonly string[]).includes(r) ? (r as RelationKind) : 'respondsTo';
}

function formatWhen(iso: string): string {
  return formatRecordedInstant(iso, (i) => {
    const d = new Date(i);
    return `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${d.getUTCFullYear()}`;
  });
}

/** "3 reports · 2 independent outlets". */
export function corroborationText(c: Entry['corroboration']): string {
  return `${t('corr.reports', { n: c.reports })} · ${t('corr.outlets', { n: c.independentOutlets })}`;
}

/**
 * The corroboration disclosure: the counts as its summary, the outlets and their kinds inside — a
 * visible list, not a tooltip. Only for an entry backed by more than one report or outlet: for a
 * single source, the card's Sources line already says everything.
 */
export function corroborationDetails(e: Entry): HTMLElement | null {
  const c = e.corroboration;
  if (c.reports <= 1 && c.independentOutlets <= 1) return null;
  const kinds = (['primary', 'party', 'media'] as const)
    .filter((k) => c.roles[k] > 0)
    .map((k) => `${t(`corr.kind.${k}`)} (${c.roles[k]})`)
    .join(', ');
  const span = [
    c.firstReportedAt ? t('corr.first', { when: formatWhen(c.firstReportedAt) }) : '',
    c.lastConfirmedAt ? t('corr.last', { when: formatWhen(c.lastConfirmedAt) }) : '',
  ]
    .filter(Boolean)
    .join(', ');
  return h(
    'details',
    { class: 'corroboration', 'data-panel': 'corroboration' },
    h('summary', { class: 'corroboration-count' }, corroborationText(c)),
    h('p', { class: 'corroboration-label', id: `entry-${e.id}-outlets` }, t('corr.outletsLabel')),
    h('ul', { class: 'outlet-list', 'aria-labelledby': `entry-${e.id}-outlets` }, ...c.outlets.map((o) => h('li', {}, o))),
    kinds ? h('p', { class: 'corroboration-kinds' }, `${t('corr.kinds')}: ${kinds}`) : null,
    span ? h('p', { class: 'corroboration-span' }, span) : null,
  );
}

/** The "Disputed" badge: a link to the (first) entry that denies or contradicts this one. */
export function disputedBadge(e: Entry, ctx: CardContext, asOf = ''): HTMLElement | null {
  const local = ctx.incoming(e.id).find((r) => DISPUTING.includes(r.relation));
  if (!e.disputed && !local) return null;
  const badge = h(
    'a',
    { class: 'badge badge-disputed', href: local ? `#entry-${local.entryId}` : `#entry-${e.id}-claims` },
    t('card.disputed'),
    h('span', { class: 'visually-hidden' }, t('card.disputedLink')),
  );
  if (!local) {
    // The denial is not among the loaded entries: ask the API who disputes it (its incoming relations).
    void entryDetail(e, asOf).then(
      (d) => {
        const by = d.entry.relations.incoming?.find((r) => DISPUTING.includes(r.relation));
        if (by) badge.setAttribute('href', `#entry-${by.entryId}`);
      },
      () => undefined,
    );
  }
  return badge;
}

function relationItem(r: Relation, direction: 'out' | 'in'): HTMLElement {
  const kind = relationKind(r.relation);
  return h(
    'li',
    { class: `claim claim-${direction} rel-${kind}`, 'data-relation': kind, 'data-entry': r.entryId },
    h('span', { class: 'claim-verb' }, t(`rel.${direction}.${kind}` as MessageKey)),
    ' ',
    h('a', { href: `#entry-${r.entryId}` }, r.summary ?? t('claims.unknown')),
  );
}

/**
 * The claim thread: what this entry denies, contradicts, confirms or answers, and which entries do
 * that to it — with links to them. Outgoing relations come with the entry; incoming ones from the
 * other loaded entries at once and, for an entry the API calls disputed, from `/v1/entries/:id`.
 */
export function claimThread(e: Entry, ctx: CardContext, asOf = ''): HTMLElement | null {
  const outgoing = e.relations.outgoing;
  const local = ctx.incoming(e.id);
  if (outgoing.length === 0 && local.length === 0 && !e.disputed) return null;
  const list = h('ul', { class: 'claim-list' });
  const fill = (relations: Relations) => {
    list.replaceChildren(
      ...relations.outgoing.map((r) => relationItem(r, 'out')),
      ...(relations.incoming ?? []).map((r) => relationItem(r, 'in')),
    );
  };
  fill({ outgoing, incoming: [...local] });
  const section = h(
    'section',
    { class: 'claims', id: `entry-${e.id}-claims`, 'aria-labelledby': `entry-${e.id}-claims-title` },
    h('h3', { class: 'claims-title', id: `entry-${e.id}-claims-title` }, t('claims.title')),
    list,
  );
  if (e.disputed && !local.some((r) => DISPUTING.includes(r.relation))) {
    void entryDetail(e, asOf).then(
      (d) => fill(d.entry.relations),
      (err: Error) => list.append(h('li', { class: 'claim-error' }, t('claims.failed', { reason: problemText(err) }))),
    );
  }
  return section;
}

/** A status line for an editor action, announced politely. */
function statusLine(): HTMLElement {
  return h('p', { class: 'editor-status', role: 'status' });
}

function problemText(err: unknown): string {
  return err instanceof ApiProblem || err instanceof IngestRefusal ? err.message : t('error.connection');
}

function reasonText(r: Candidate['reasons'][number]): string {
  const key = `reason.${r.kind}`;
  const label = hasMessage(key) ? t(key) : r.kind;
  return r.detail && (r.kind === 'sharedActors' || r.kind === 'sharedPlaces') ? `${label}: ${r.detail}` : label;
}

function percent(score: number): string {
  return new Intl.NumberFormat(uiLocale(), { style: 'percent', maximumFractionDigits: 0 }).format(score);
}

/**
 * The editor's "Possible duplicates" disclosure: `/v1/entries/:id/candidates` when opened, each with
 * its match score and reasons and a "Merge into this entry" button that publishes `entry.merged`
 * (this entry survives). Nothing merges by itself: the API only proposes.
 */
export function candidatesPanel(e: Entry, ctx: CardContext, asOf = ''): HTMLElement | null {
  const editor = ctx.editor;
  // "As known at" shows the past; merges change the present, so the editor acts on the live timeline only.
  if (!editor?.active || asOf || e.mergedInto || e.status === 'retracted') return null;
  const body = h('div', { class: 'candidates-body' }, t('common.loading'));
  const status = statusLine();
  const details = h('details', { class: 'candidates', 'data-panel': 'candidates' }, h('summary', {}, t('cand.title')), body, status);
  details.addEventListener('toggle', () => {
    if (!details.open) return;
    body.replaceChildren(t('common.loading'));
    timelineApi.candidates(e.id).then(
      (page) => {
        // An entry that denies, confirms or answers this one is another claim, not another report of it.
        const related = new Set([...e.relations.outgoing, ...ctx.incoming(e.id)].map((r) => r.entryId));
        const data = page.data.filter((c) => !related.has(c.entry.id));
        if (data.length === 0) {
          body.replaceChildren(h('p', { class: 'hint' }, t('cand.none')));
          return;
        }
        body.replaceChildren(h('ol', { class: 'candidate-list' }, ...data.map((c) => candidateItem(e, c, editor, status))));
      },
      (err: unknown) => body.replaceChildren(h('p', { class: 'panel-error' }, t('cand.failed', { reason: problemText(err) }))),
    );
  });
  return details;
}

/**
 * An editor action's button: publishes `event` once per click (disabled while it is on its way and
 * after ingest accepted it) and says in `status` what happened, in ingest's words when it refused.
 */
function publishButton(
  label: string,
  className: string,
  describedBy: string,
  editor: EditorSession,
  status: HTMLElement,
  event: EditorEvent,
  sent: string,
): HTMLButtonElement {
  const button = h('button', { type: 'button', class: `button button-small ${className}`, 'aria-describedby': describedBy }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = t('editor.sending');
    editor.publish(event).then(
      () => (status.textContent = sent),
      (err: unknown) => {
        button.disabled = false;
        status.textContent = t('editor.refused', { reason: problemText(err) });
      },
    );
  });
  return button;
}

function candidateItem(survivor: Entry, c: Candidate, editor: EditorSession, status: HTMLElement): HTMLElement {
  const summaryId = `cand-${survivor.id}-${c.entry.id}`;
  const merge: EditorEvent = {
    type: 'entry.merged',
    storyId: survivor.storyId,
    summary: t('cand.mergeSummary'),
    payload: { survivorId: survivor.id, mergedIds: [c.entry.id], reason: t('cand.mergeReason', { score: percent(c.score) }) },
  };
  const button = publishButton(t('cand.merge'), 'merge-button', summaryId, editor, status, merge, t('cand.sent'));
  return h(
    'li',
    { class: 'candidate', 'data-candidate': c.entry.id },
    h(
      'p',
      { class: 'candidate-head' },
      h('span', { class: 'candidate-score' }, t('cand.score', { score: percent(c.score) })),
      ' · ',
      typeLabel(c.entry.type),
      ' · ',
      c.entry.displayDate,
    ),
    h('p', { class: 'candidate-summary', id: summaryId }, h('a', { href: `#entry-${c.entry.id}` }, c.entry.summary)),
    h('ul', { class: 'candidate-reasons' }, ...c.reasons.map((r) => h('li', {}, reasonText(r)))),
    button,
  );
}

/**
 * The reports merged into a survivor, shown in its version history; in the editor mode each has
 * "Split out", which publishes `entry.split` for that report (it returns to the timeline).
 */
export function mergedReports(survivor: Entry, reports: readonly Report[], ctx: CardContext, asOf = ''): HTMLElement | null {
  if (reports.length === 0) return null;
  const status = statusLine();
  const editor = ctx.editor?.active && !asOf ? ctx.editor : undefined;
  const item = (r: Report) => {
    const summaryId = `report-${survivor.id}-${r.entryId}`;
    const outlets = [...new Set(r.sources.map((s) => (s.originOutlet ? `${s.outlet} (${s.originOutlet})` : s.outlet)))].join(', ');
    const split = editor
      ? publishButton(
          t('reports.split'),
          'split-button',
          summaryId,
          editor,
          status,
          {
            type: 'entry.split',
            storyId: survivor.storyId,
            summary: t('reports.splitSummary'),
            payload: { survivorId: survivor.id, splitIds: [r.entryId], reason: t('reports.splitReason') },
          },
          t('reports.sent'),
        )
      : null;
    return h(
      'li',
      { class: 'report', 'data-report': r.entryId },
      h('span', { class: 'report-summary', id: summaryId }, r.summary),
      outlets ? h('span', { class: 'report-outlets' }, ` — ${outlets}`) : null,
      split ? ' ' : null,
      split,
    );
  };
  return h(
    'section',
    { class: 'reports', 'aria-labelledby': `entry-${survivor.id}-reports-title` },
    h('h3', { class: 'reports-title', id: `entry-${survivor.id}-reports-title` }, t('reports.title')),
    h('ul', { class: 'report-list' }, ...reports.map(item)),
    status,
  );
}
