import { h } from './dom.js';
import { typeIcon } from './entry-card.js';
import { typeLabel, typeStyle } from './entry-types.js';
import { formatEntryDate, t, uiLocale } from './i18n.js';
import type { MessageKey } from './messages.js';
import { displayWhen, type Filters } from './timeline-model.js';

/** The part of a replayed envelope the replay cards show. */
interface ReplayedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly occurredAtPrecision: 'day' | 'hour' | 'minute' | 'second';
  readonly summary: string;
  readonly language?: string;
  readonly confirmation: 'confirmed' | 'reported';
  readonly actors: readonly { readonly id: string; readonly name: string }[];
}

/** `data:` of a `replay` event of `GET /v1/replay`. */
interface ReplayMessage {
  readonly event: ReplayedEvent;
  readonly index: number;
  readonly delayMs: number;
  readonly gapShortened: boolean;
  /** The date as the timeline words it (the event's own zone and precision). */
  readonly displayDate: string;
}

/** Speed choices: seconds of the past per real second. */
const SPEEDS: readonly [number, MessageKey][] = [
  [600, 'replay.speed600'],
  [3600, 'replay.speed3600'],
  [21_600, 'replay.speed21600'],
  [86_400, 'replay.speed86400'],
  [604_800, 'replay.speed604800'],
];
const DEFAULT_FROM = '2022-01-20';
const DEFAULT_TO = '2022-01-26';
/** Cards kept on screen (the newest first); older ones scroll away. */
const MAX_CARDS = 300;

/**
 * Replay mode: re-live a stretch of the crisis from the event log. A sidebar panel picks the window
 * (defaults to the filters' dates), the speed, and whether to replay only what was known at the
 * filters' "as known at" time; Play swaps the timeline for a replay panel fed by `GET /v1/replay`
 * (Server-Sent Events paced by the server), Stop or the end of the replay brings the timeline back.
 * Self-contained: it only adds elements and hides/restores the main column's existing ones.
 */
export class ReplayMode {
  private source?: EventSource;
  private hiddenBefore = new Map<HTMLElement, boolean>();
  private count = 0;

  private readonly from = h('input', { id: 'replay-from', type: 'date', min: '1900-01-01', max: '2100-12-31', value: DEFAULT_FROM });
  private readonly to = h('input', { id: 'replay-to', type: 'date', min: '1900-01-01', max: '2100-12-31', value: DEFAULT_TO });
  private readonly speed = h(
    'select',
    { id: 'replay-speed' },
    ...SPEEDS.map(([v, label]) => h('option', { value: v, selected: v === 3600 }, t(label))),
  );
  private readonly knownAt = h('input', { id: 'replay-asof', type: 'checkbox' });
  private readonly play = h('button', { type: 'button', id: 'replay-play', class: 'button button-primary' }, t('replay.play'));
  private readonly stopButton = h('button', { type: 'button', id: 'replay-stop', class: 'button', disabled: true }, t('replay.stop'));
  private readonly formError = h('p', { id: 'replay-form-error', class: 'hint', role: 'alert', hidden: true });
  private readonly clock = h('span', { id: 'replay-clock' });
  private readonly status = h('p', { id: 'replay-status', class: 'summary-line', role: 'status' });
  private readonly scope = h('p', { id: 'replay-scope', class: 'hint' });
  private readonly list = h('div', { id: 'replay-events', class: 'replay-events' });
  private readonly panel = h(
    'section',
    { id: 'replay-panel', class: 'overview replay-panel', 'aria-labelledby': 'replay-panel-title', hidden: true },
    h('div', { class: 'overview-head' }, h('h2', { id: 'replay-panel-title' }, `${t('replay.title')} · `, this.clock), this.status),
    this.scope,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button button-small', id: 'replay-back' }, t('replay.back'))),
    this.list,
  );

  constructor(
    /** The sidebar to add the controls to. */
    private readonly sidebar: HTMLElement,
    /** The main column whose content the replay panel replaces while it runs. */
    private readonly main: HTMLElement,
    /** The filter form's "from", "to" and "as known at" inputs (read when Play is pressed). */
    private readonly filterInputs: { from: HTMLInputElement; to: HTMLInputElement; asOf: HTMLInputElement },
    /** The timeline's filters now: the replay keeps their types, actors and countries. */
    private readonly timelineFilters: () => Filters,
    /** An actor's name for the filter summary. */
    private readonly actorName: (id: string) => string = (id) => id,
  ) {}

  /** Adds the sidebar controls and the (hidden) replay panel to the page. */
  mount(): void {
    const label = (id: string, text: string, cls = 'sub-label') => h('label', { for: id, class: cls }, text);
    this.sidebar.append(
      h(
        'section',
        { class: 'export replay', 'aria-labelledby': 'replay-title' },
        h('h2', { id: 'replay-title', class: 'sidebar-title' }, t('replay.title')),
        h('p', { class: 'hint' }, t('replay.hint')),
        h('div', { class: 'date-range' }, label('replay-from', t('filters.from')), this.from, label('replay-to', t('filters.to')), this.to),
        h('div', { class: 'field' }, label('replay-speed', t('replay.speed'), ''), this.speed),
        h('div', { class: 'field field-inline' }, this.knownAt, label('replay-asof', t('replay.knownAt'), '')),
        this.formError,
        h('div', { class: 'actions' }, this.play, this.stopButton),
      ),
    );
    this.main.prepend(this.panel);
    this.play.addEventListener('click', () => this.start());
    this.stopButton.addEventListener('click', () => this.stop());
    this.panel.querySelector('#replay-back')!.addEventListener('click', () => this.stop());
    // The replay window follows the filters' dates when they are set.
    for (const [filter, mine] of [
      [this.filterInputs.from, this.from],
      [this.filterInputs.to, this.to],
    ] as const) {
      filter.addEventListener('change', () => {
        if (filter.value) mine.value = filter.value;
      });
      if (filter.value) mine.value = filter.value;
    }
  }

  private start(): void {
    const from = this.from.value;
    const to = this.to.value;
    const asOfLocal = this.knownAt.checked ? this.filterInputs.asOf.value : '';
    const problem = !from || !to ? t('replay.bothDates') : from > to ? t('replay.toBeforeFrom') : '';
    const asOfProblem = this.knownAt.checked && !asOfLocal ? t('replay.setAsOf') : '';
    this.formError.textContent = problem || asOfProblem;
    this.formError.hidden = !(problem || asOfProblem);
    if (problem || asOfProblem) return;

    this.close();
    const params = new URLSearchParams({ from, to, speed: this.speed.value });
    if (asOfLocal) params.set('asOf', new Date(asOfLocal).toISOString());
    // The same types, actors and countries as the timeline (issue 15: the replay showed everything).
    const f = this.timelineFilters();
    for (const t of f.types) params.append('type', t);
    for (const a of f.actors) params.append('actor', a);
    for (const c of f.countries) params.append('country', c);
    this.scope.textContent = scopeText(f, this.actorName);
    this.scope.hidden = !this.scope.textContent;
    this.showPanel(true);
    this.list.replaceChildren();
    this.count = 0;
    this.clock.textContent = `${from} → ${to}`;
    this.status.textContent = t('replay.starting');
    this.play.disabled = true;
    this.stopButton.disabled = false;

    const source = new EventSource(`/v1/replay?${params}`);
    this.source = source;
    source.addEventListener('ready', () => {
      this.status.textContent = asOfLocal
        ? t('replay.replayingKnownAt', { when: new Date(asOfLocal).toLocaleString(uiLocale() === 'uk' ? 'uk' : undefined) })
        : t('replay.replaying');
    });
    source.addEventListener('replay', (ev) => {
      try {
        this.show(JSON.parse((ev as MessageEvent<string>).data) as ReplayMessage);
      } catch {
        /* a malformed message is skipped */
      }
    });
    source.addEventListener('end', (ev) => {
      const { count } = JSON.parse((ev as MessageEvent<string>).data) as { count: number };
      // EventSource would reconnect after the server ends the stream and start the replay over.
      this.close();
      this.clearHighlight();
      this.status.textContent = count === 0 ? t('replay.noEvents') : t('replay.finished', { n: count });
      if (count === 0) this.list.append(h('p', { class: 'empty' }, t('replay.noEvents')));
    });
    source.addEventListener('error', (ev) => {
      if (source !== this.source) return;
      const data = (ev as MessageEvent<string>).data;
      this.close();
      this.clearHighlight();
      this.status.textContent = data ? t('replay.stoppedLog') : t('replay.failed');
    });
  }

  private show(m: ReplayMessage): void {
    const e = m.event;
    const style = typeStyle(e.type);
    // Corrections and retractions are events too; in a replay they appear when they happened.
    const label = typeLabel(e.type);
    const dated = { displayDate: m.displayDate, occurredAt: e.occurredAt, occurredAtPrecision: e.occurredAtPrecision };
    const when = formatEntryDate(dated, () => displayWhen(dated));
    const card = h(
      'article',
      { class: 'card is-new', id: `replay-${e.eventId}`, 'data-index': m.index },
      h(
        'div',
        { class: 'card-head' },
        h('span', { class: 'type-chip' }, typeIcon(e.type, 14), label),
        h('time', { class: 'card-date', datetime: e.occurredAt }, when),
        e.confirmation === 'reported'
          ? h('span', { class: 'badges' }, h('span', { class: 'badge badge-reported' }, t('card.reported')))
          : null,
      ),
      h('p', { class: 'card-summary', lang: e.language ?? null }, e.summary),
      e.actors.length
        ? h('ul', { class: 'chips', 'aria-label': t('card.actors') }, ...e.actors.map((a) => h('li', { class: 'chip' }, a.name)))
        : null,
    );
    card.style.setProperty('--type-colour', style.colour);
    // Only the newest card is highlighted (issue 15: every replayed card stayed highlighted).
    this.clearHighlight();
    this.list.prepend(card);
    while (this.list.childElementCount > MAX_CARDS) this.list.lastElementChild?.remove();
    this.count = m.index;
    this.clock.textContent = when;
    this.status.textContent = `${t('replay.count', { n: this.count })}${m.gapShortened ? t('replay.gapShortened') : ''}`;
  }

  private stop(): void {
    this.close();
    this.clearHighlight();
    this.showPanel(false);
  }

  /** No replayed card stays highlighted once the replay is over (ended, stopped or failed). */
  private clearHighlight(): void {
    for (const c of this.list.querySelectorAll('.card.is-new')) c.classList.remove('is-new');
  }

  private close(): void {
    this.source?.close();
    this.source = undefined;
    this.play.disabled = false;
    this.stopButton.disabled = true;
  }

  /** Shows the replay panel in place of the main column's content, or restores that content. */
  private showPanel(on: boolean): void {
    if (on && this.panel.hidden) {
      this.hiddenBefore = new Map();
      for (const el of [...this.main.children] as HTMLElement[]) {
        if (el === this.panel) continue;
        this.hiddenBefore.set(el, el.hidden === true);
        el.hidden = true;
      }
      this.panel.hidden = false;
      document.body.classList.add('replay-mode');
    } else if (!on && !this.panel.hidden) {
      for (const [el, wasHidden] of this.hiddenBefore) el.hidden = wasHidden;
      this.hiddenBefore.clear();
      this.panel.hidden = true;
      document.body.classList.remove('replay-mode');
    }
  }
}

/** "Only Statement issued · Kremlin · UA, as in the timeline's filters", or nothing when none apply. */
function scopeText(f: Filters, actorName: (id: string) => string): string {
  const parts = [...f.types.map((type) => typeLabel(type)), ...f.actors.map(actorName), ...f.countries];
  // The replay reads the event log, which knows types, actors and countries; say so when the
  // timeline also narrows by something else, instead of implying the replay does too.
  const ignored = [
    f.q.trim() ? t('replay.ignoredSearch') : '',
    f.tags.length ? t('replay.ignoredTags') : '',
    f.locations.length ? t('replay.ignoredPlaces') : '',
    f.stories.length ? t('replay.ignoredStories') : '',
    f.confirmation ? t('replay.ignoredConfirmation') : '',
    f.minSources > 0 ? t('replay.ignoredCorroboration') : '',
  ].filter(Boolean);
  return [
    parts.length ? t('replay.scopeOnly', { parts: parts.join(' · ') }) : '',
    ignored.length ? t('replay.scopeIgnored', { filters: ignored.join(', '), n: ignored.length }) : '',
  ]
    .filter(Boolean)
    .join(' ');
}
