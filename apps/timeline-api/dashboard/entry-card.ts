import { timelineApi } from './api-client.js';
import {
  NO_CONTEXT,
  candidatesPanel,
  claimThread,
  corroborationDetails,
  disputedBadge,
  mergedReports,
  type CardContext,
} from './corroboration-view.js';
import { h, s } from './dom.js';
import { machineEngine, shownSummary, type ContentLanguage } from './entry-language.js';
import { ICON_PATHS, typeLabel, typeStyle } from './entry-types.js';
import { autonym, formatEntryDate, formatRecordedInstant, hasMessage, t } from './i18n.js';
import type { MessageKey } from './messages.js';
import { displayWhen, placeLabels, versionDiff, type Entry } from './timeline-model.js';

/** The type's icon as inline SVG (decorative: the type name is always written next to it). */
export function typeIcon(type: string, size = 16): SVGSVGElement {
  return icon(typeStyle(type).icon, size);
}

/** A named icon from {@link ICON_PATHS}, decorative. */
export function icon(name: string, size = 16): SVGSVGElement {
  return s(
    'svg',
    {
      class: 'type-icon',
      viewBox: '0 0 24 24',
      width: size,
      height: size,
      'aria-hidden': 'true',
      focusable: 'false',
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': 2,
      'stroke-linecap': 'round',
      'stroke-linejoin': 'round',
    },
    s('path', { d: ICON_PATHS[name] ?? ICON_PATHS.speech ?? '' }),
  );
}

function formatRecorded(iso: string): string {
  return formatRecordedInstant(iso, formatRecordedEnglish);
}

function formatRecordedEnglish(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${d.getUTCFullYear()}, ${String(d.getUTCHours()).padStart(2, '0')}:${String(
    d.getUTCMinutes(),
  ).padStart(2, '0')} UTC`;
}

/**
 * The summary in the language the switch asks for (or the one a search matched), with a `lang`
 * attribute so a screen reader pronounces it right, and a label whenever it is not simply what was
 * asked for: a translation says who made it, an original shown for want of a translation says so.
 */
function summary(e: Entry, chosen: ContentLanguage): HTMLElement[] {
  const shown = shownSummary(e, chosen);
  const p = h('p', { class: 'card-summary', lang: shown.lang });
  if (shown.segments) {
    for (const seg of shown.segments) p.append(seg.match ? h('mark', {}, seg.text) : seg.text);
  } else {
    p.textContent = shown.text;
  }
  const language = h('span', { class: 'card-lang-name', lang: shown.lang }, autonym(shown.lang));
  const [before, after] = t(shown.original ? 'lang.originalBadge' : 'lang.translation', { language: '\u0000' }).split('\u0000');
  const parts: (Node | string)[] = [];
  if (!shown.original || shown.fallback) parts.push(before ?? '', language, after ?? '');
  if (shown.by) {
    const engine = machineEngine(shown.by);
    parts.push(' · ', engine ? t('lang.byMachine', { engine }) : t('lang.byEditor'));
  }
  if (shown.matched) {
    const [mBefore, mAfter] = t('lang.matched', { language: '\u0000' }).split('\u0000');
    if (parts.length) parts.push(' · ');
    parts.push(mBefore ?? '', h('span', { lang: shown.lang }, autonym(shown.lang)), mAfter ?? '');
  }
  if (parts.length === 0) return [p];
  const label = h(
    'p',
    {
      class: `card-lang${shown.fallback ? ' is-fallback' : ''}${shown.matched ? ' is-matched' : ''}`,
      'data-shown-lang': shown.lang,
      'data-original': String(shown.original),
      'data-by': shown.by ?? null,
    },
    ...parts,
  );
  return [label, p];
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

function notices(e: Entry): HTMLElement | null {
  if (e.corrections.length === 0) return null;
  return h(
    'ul',
    { class: 'notices' },
    ...e.corrections.map((c) =>
      h(
        'li',
        { class: `notice notice-${c.change}` },
        h(
          'strong',
          {},
          t(c.change === 'retracted' ? 'card.retracted' : c.severity === 'minor' ? 'card.correctionMinor' : 'card.correction'),
        ),
        ` · ${formatRecorded(c.recordedAt)}: `,
        // The label says "Correction" already; a note that repeats it would read twice.
        (c.note ?? '').replace(/^(correction|retraction)\s*[:—-]\s*/i, ''),
      ),
    ),
  );
}

function historyDetails(e: Entry, asOf: string, ctx: CardContext): HTMLElement | null {
  if (e.version <= 1) return null;
  const body = h('div', { class: 'history-body' }, t('common.loading'));
  const details = h('details', { class: 'history', 'data-panel': 'history' }, h('summary', {}, t('card.history', { n: e.version })), body);
  let loaded = false;
  details.addEventListener('toggle', () => {
    if (!details.open || loaded) return;
    loaded = true;
    timelineApi.entry(e.id, asOf || undefined).then(
      (detail) => {
        body.replaceChildren(
          h(
            'ol',
            { class: 'history-list' },
            ...detail.history.map((v, i) => {
              const previous = detail.history[i - 1];
              return h(
                'li',
                {},
                h(
                  'span',
                  { class: 'history-meta' },
                  t('card.historyMeta', {
                    version: v.version,
                    change: `${t(`change.${v.change}`)}${v.severity ? ` (${t(`severity.${v.severity}`)})` : ''}`,
                    when: formatRecorded(v.recordedFrom),
                  }),
                ),
                previous ? diffList(previous.entry, v.entry) : h('span', { class: 'history-text' }, v.entry.summary),
                v.note ? h('span', { class: 'history-note' }, t('card.historyNote', { note: v.note })) : null,
              );
            }),
          ),
          // The reports a merge folded into this entry, each of which an editor can split out again.
          mergedReports(e, detail.entry.reports, ctx, asOf) ?? '',
        );
      },
      (err: Error) => body.replaceChildren(t('card.historyFailed', { reason: err.message })),
    );
  });
  return details;
}

/** A version's changes against the one before: each field with its old value struck and the new one. */
function diffList(before: Entry, after: Entry): HTMLElement {
  const changes = versionDiff(before, after, {
    date: (e) => formatEntryDate(e, () => displayWhen(e)),
    confirmation: (c) => t(`confirmation.${c}`),
  });
  if (changes.length === 0) return h('span', { class: 'history-text' }, t('card.noFieldChanged'));
  return h(
    'dl',
    { class: 'history-diff' },
    ...changes.flatMap((c) => [
      h('dt', {}, hasMessage(`field.${c.field}`) ? t(`field.${c.field}` as MessageKey) : c.field),
      h(
        'dd',
        {},
        h('del', {}, h('span', { class: 'visually-hidden' }, t('card.was')), c.before || t('common.none')),
        ' ',
        h('ins', {}, h('span', { class: 'visually-hidden' }, t('card.now')), c.after || t('common.none')),
      ),
    ]),
  );
}

/** One timeline card: type, precision-aware date, badges, summary, actors, places, sources, notices. */
export function entryCard(e: Entry, asOf: string, language: ContentLanguage = 'original', ctx: CardContext = NO_CONTEXT): HTMLElement {
  const style = typeStyle(e.type);
  const badges = h(
    'span',
    { class: 'badges' },
    e.status === 'corrected' ? h('span', { class: 'badge badge-corrected' }, t('card.corrected')) : null,
    e.status === 'retracted' ? h('span', { class: 'badge badge-retracted' }, t('card.retracted')) : null,
    e.confirmation === 'reported' ? h('span', { class: 'badge badge-reported', title: t('card.reportedTitle') }, t('card.reported')) : null,
    disputedBadge(e, ctx, asOf),
  );
  const actors = e.actors.length
    ? h(
        'ul',
        { class: 'chips', 'aria-label': t('card.actors') },
        ...e.actors.map((a) =>
          h('li', { class: `chip chip-actor role-${a.role}`, title: `${a.role}${a.country ? `, ${a.country}` : ''}` }, a.name),
        ),
      )
    : null;
  const places = e.locations.length
    ? h(
        'p',
        { class: 'places' },
        icon('pin', 13),
        h('span', { class: 'visually-hidden' }, t('card.locations')),
        placeLabels(e.locations).join(' · '),
      )
    : null;
  const sources = e.sources.length
    ? h(
        'p',
        { class: 'sources' },
        h('span', { class: 'sources-label' }, t('card.sources')),
        ...e.sources.flatMap((src, i) => [
          i > 0 ? ', ' : null,
          h(
            'a',
            {
              href: src.url,
              target: '_blank',
              rel: 'noopener noreferrer',
              title: src.title ?? hostOf(src.url),
              hreflang: src.language ?? null,
            },
            src.outlet,
            src.quotedPerson ? t('card.quoting', { person: src.quotedPerson }) : '',
          ),
        ]),
      )
    : null;
  const card = h(
    'article',
    {
      class: `card status-${e.status}`,
      id: `entry-${e.id}`,
      'data-entry-id': e.id,
      'data-type': e.type,
      'aria-labelledby': `entry-${e.id}-title`,
    },
    h(
      'header',
      { class: 'card-head' },
      h(
        'span',
        { class: 'type-chip', 'data-type': e.type },
        typeIcon(e.type),
        h('span', { id: `entry-${e.id}-title` }, typeLabel(e.type, e.typeTitle)),
      ),
      h(
        'time',
        { class: 'card-date', datetime: e.occurredAt, title: e.occurredAtPrecision === 'hour' ? t('card.hourOnly') : null },
        formatEntryDate(e, () => displayWhen(e)),
      ),
      badges,
      h(
        'a',
        { class: 'permalink', href: `#entry-${e.id}`, title: t('card.link') },
        h('span', { class: 'visually-hidden' }, t('card.link')),
        '#',
      ),
    ),
    ...summary(e, language),
    actors,
    places,
    notices(e),
    sources,
    corroborationDetails(e),
    claimThread(e, ctx, asOf),
    historyDetails(e, asOf, ctx),
    candidatesPanel(e, ctx, asOf),
  );
  card.style.setProperty('--type-colour', style.colour);
  return card;
}
