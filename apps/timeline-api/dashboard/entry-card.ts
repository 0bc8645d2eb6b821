import { timelineApi } from './api-client.js';
import { h, s } from './dom.js';
import { ICON_PATHS, typeStyle } from './entry-types.js';
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
  const d = new Date(iso);
  return `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${d.getUTCFullYear()}, ${String(d.getUTCHours()).padStart(2, '0')}:${String(
    d.getUTCMinutes(),
  ).padStart(2, '0')} UTC`;
}

function summary(e: Entry): HTMLElement {
  const p = h('p', { class: 'card-summary' });
  if (e.snippet?.length) {
    for (const seg of e.snippet) p.append(seg.match ? h('mark', {}, seg.text) : seg.text);
  } else {
    p.textContent = e.summary;
  }
  return p;
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
        h('strong', {}, c.change === 'retracted' ? 'Retracted' : c.severity === 'minor' ? 'Correction (minor)' : 'Correction'),
        ` · ${formatRecorded(c.recordedAt)}: `,
        // The label says "Correction" already; a note that repeats it would read twice.
        (c.note ?? '').replace(/^(correction|retraction)\s*[:—-]\s*/i, ''),
      ),
    ),
  );
}

function historyDetails(e: Entry, asOf: string): HTMLElement | null {
  if (e.version <= 1) return null;
  const body = h('div', { class: 'history-body' }, 'Loading…');
  const details = h('details', { class: 'history' }, h('summary', {}, `Version history (${e.version} versions)`), body);
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
                  `v${v.version} · ${v.change}${v.severity ? ` (${v.severity})` : ''} · recorded ${formatRecorded(v.recordedFrom)}`,
                ),
                previous ? diffList(previous.entry, v.entry) : h('span', { class: 'history-text' }, v.entry.summary),
                v.note ? h('span', { class: 'history-note' }, `Note: ${v.note}`) : null,
              );
            }),
          ),
        );
      },
      (err: Error) => body.replaceChildren(`Could not load the history: ${err.message}`),
    );
  });
  return details;
}

/** A version's changes against the one before: each field with its old value struck and the new one. */
function diffList(before: Entry, after: Entry): HTMLElement {
  const changes = versionDiff(before, after);
  if (changes.length === 0) return h('span', { class: 'history-text' }, 'No field changed (status only).');
  return h(
    'dl',
    { class: 'history-diff' },
    ...changes.flatMap((c) => [
      h('dt', {}, c.field),
      h(
        'dd',
        {},
        h('del', {}, h('span', { class: 'visually-hidden' }, 'was: '), c.before || '(none)'),
        ' ',
        h('ins', {}, h('span', { class: 'visually-hidden' }, 'now: '), c.after || '(none)'),
      ),
    ]),
  );
}

/** One timeline card: type, precision-aware date, badges, summary, actors, places, sources, notices. */
export function entryCard(e: Entry, asOf: string): HTMLElement {
  const style = typeStyle(e.type);
  const badges = h(
    'span',
    { class: 'badges' },
    e.status === 'corrected' ? h('span', { class: 'badge badge-corrected' }, 'Corrected') : null,
    e.status === 'retracted' ? h('span', { class: 'badge badge-retracted' }, 'Retracted') : null,
    e.confirmation === 'reported'
      ? h('span', { class: 'badge badge-reported', title: 'Reported, not independently confirmed' }, 'Reported')
      : null,
  );
  const actors = e.actors.length
    ? h(
        'ul',
        { class: 'chips', 'aria-label': 'Actors' },
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
        h('span', { class: 'visually-hidden' }, 'Locations: '),
        placeLabels(e.locations).join(' · '),
      )
    : null;
  const sources = e.sources.length
    ? h(
        'p',
        { class: 'sources' },
        h('span', { class: 'sources-label' }, 'Sources: '),
        ...e.sources.flatMap((src, i) => [
          i > 0 ? ', ' : null,
          h(
            'a',
            { href: src.url, target: '_blank', rel: 'noopener noreferrer', title: src.title ?? hostOf(src.url) },
            src.outlet,
            src.quotedPerson ? ` (quoting ${src.quotedPerson})` : '',
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
        h('span', { id: `entry-${e.id}-title` }, e.typeTitle || style.label),
      ),
      h(
        'time',
        { class: 'card-date', datetime: e.occurredAt, title: e.occurredAtPrecision === 'hour' ? 'Known to the hour only' : null },
        displayWhen(e),
      ),
      badges,
      h(
        'a',
        { class: 'permalink', href: `#entry-${e.id}`, title: 'Link to this entry' },
        h('span', { class: 'visually-hidden' }, 'Link to this entry'),
        '#',
      ),
    ),
    summary(e),
    actors,
    places,
    notices(e),
    sources,
    historyDetails(e, asOf),
  );
  card.style.setProperty('--type-colour', style.colour);
  return card;
}
