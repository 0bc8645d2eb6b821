import { ApiProblem, timelineApi } from './api-client.js';
import type { Relation } from './corroboration-view.js';
import { byId, h } from './dom.js';
import { EditorSession } from './editor-session.js';
import { typeIcon } from './entry-card.js';
import { EntryMap } from './entry-map.js';
import {
  CONTENT_LANGUAGE_PARAM,
  CONTENT_LANGUAGE_STORAGE_KEY,
  initialContentLanguage,
  isContentLanguage,
  shownSummary,
  type ContentLanguage,
} from './entry-language.js';
import { TYPE_STYLES, typeLabel } from './entry-types.js';
import {
  UI_LOCALE_STORAGE_KEY,
  formatDay,
  formatEntryDate,
  initialUiLocale,
  isUiLocale,
  localizeDocument,
  regionName,
  setUiLocale,
  t,
  uiLocale,
} from './i18n.js';
import type { MessageKey } from './messages.js';
import { LiveFeed, type LiveState, type LiveStatus } from './live-feed.js';
import { ReplayMode } from './replay.js';
import { TimelineView } from './timeline-view.js';
import { typeChart } from './type-chart.js';
import {
  EMPTY_FILTERS,
  compareEntries,
  dayHeading,
  filterParams,
  filtersFromUrl,
  withinLoadedRange,
  type Entry,
  type EntryChange,
  type Filters,
} from './timeline-model.js';

const PAGE_SIZE = 200;
/** Narrower than this (a phone), the chart shows weeks: a day's bar would be a pixel wide. */
const CHART_WEEKLY_BELOW_PX = 640;
const LIVE_LABELS: Record<LiveState, MessageKey> = {
  connecting: 'live.connecting',
  live: 'live.live',
  reconnecting: 'live.reconnecting',
  paused: 'live.paused',
  error: 'live.error',
  capped: 'live.capped',
  unavailable: 'live.unavailable',
  background: 'live.background',
};

/** The newsroom dashboard: filters ⇄ URL ⇄ API, cards by day, chart, live updates, as-known-at, export. */
class NewsroomDashboard {
  private filters: Filters = filtersFromUrl(location.search);
  /** The language switch: which text of each entry the cards show (`?lang=`, remembered per browser). */
  private language: ContentLanguage = initialContentLanguage(location.search, readStorage(CONTENT_LANGUAGE_STORAGE_KEY));
  private entries = new Map<string, Entry>();
  private nextCursor: string | null = null;
  private hasMore = false;
  private loading?: AbortController;
  private statsTimer?: number;
  private earliestRecorded?: number;
  private readonly knownActors = new Map<string, string>();
  private readonly knownCountries = new Set<string>();
  /** Whether the page's `#entry-…` permalink was acted on (only once per page load; later via hashchange). */
  private linkRevealed = false;
  private readonly knownPlaces = new Set<string>();
  private readonly knownTags = new Set<string>();
  private readonly knownStories = new Set<string>();
  private readonly feed = new LiveFeed(
    (lastId) => timelineApi.streamUrl(filterParams(this.filters, { asOf: false }), lastId),
    (change) => this.applyChange(change),
    (state) => this.showLiveState(state),
  );

  private readonly form = byId<HTMLFormElement>('filters');
  private readonly q = byId<HTMLInputElement>('f-q');
  private readonly typeList = byId<HTMLElement>('f-types');
  private readonly actor = byId<HTMLSelectElement>('f-actor');
  private readonly country = byId<HTMLSelectElement>('f-country');
  private readonly place = byId<HTMLSelectElement>('f-location');
  private readonly tag = byId<HTMLSelectElement>('f-tag');
  private readonly story = byId<HTMLSelectElement>('f-story');
  private readonly confirmation = byId<HTMLSelectElement>('f-confirmation');
  private readonly minSources = byId<HTMLSelectElement>('f-sources');
  private readonly from = byId<HTMLInputElement>('f-from');
  private readonly to = byId<HTMLInputElement>('f-to');
  private readonly asOf = byId<HTMLInputElement>('f-asof');
  private readonly asOfRange = byId<HTMLInputElement>('f-asof-range');
  private readonly retracted = byId<HTMLInputElement>('f-retracted');
  private readonly order = byId<HTMLSelectElement>('f-order');
  private readonly timeline = byId<HTMLElement>('timeline');
  private readonly contentLanguage = byId<HTMLSelectElement>('content-lang');
  private readonly uiLanguage = byId<HTMLSelectElement>('ui-lang');
  private readonly view = new TimelineView(this.timeline);
  /** The editor mode (issue 14): set once the API's dashboard settings are read. */
  private editor?: EditorSession;
  /** Relations of the loaded entries by the entry they point at: a card shows who denies it. */
  private incoming = new Map<string, Relation[]>();
  private readonly map = new EntryMap(byId('map'), byId('map-summary'), {
    reveal: (id) => {
      const card = document.getElementById(`entry-${id}`);
      if (card) this.revealCard(card);
    },
    filterPlaces: (places) => {
      this.filters = { ...this.filters, locations: places };
      this.writeForm();
      void this.reload();
    },
  });
  private readonly chart = byId<HTMLElement>('chart');
  private readonly summaryLine = byId<HTMLElement>('summary-line');
  private readonly loadMore = byId<HTMLButtonElement>('load-more');
  private readonly liveStatus = byId<HTMLElement>('live-status');
  private readonly liveReason = byId<HTMLElement>('live-reason');
  private readonly asOfBanner = byId<HTMLElement>('asof-banner');
  private readonly announcer = byId<HTMLElement>('announcer');
  private readonly errorBox = byId<HTMLElement>('error');

  /** The filters the timeline shows now (the replay keeps their types, actors and countries). */
  currentFilters(): Filters {
    return this.filters;
  }

  actorName(id: string): string {
    return this.knownActors.get(id) ?? id;
  }

  start(): void {
    // Tells dashboard-fallback.js the modules loaded (otherwise it shows the plain-data links).
    document.documentElement.dataset.dashboard = 'ready';
    byId('f-asof-zone').textContent = Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.mountLanguageControls();
    const editorNow = () => this.editor;
    this.view.context = {
      get editor() {
        return editorNow();
      },
      incoming: (id) => this.incoming.get(id) ?? [],
    };
    void EditorSession.load().then((editor) => this.mountEditor(editor));
    this.buildTypeOptions();
    for (const o of this.minSources.options) if (o.value !== '0') o.textContent = t('filters.corroborationMin', { n: Number(o.value) });
    this.writeForm();
    this.mountFilterDrawer();
    this.linkListToMap();
    void this.map.load();
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.readFormAndReload();
    });
    this.form.addEventListener('change', (ev) => {
      if (ev.target === this.q || ev.target === this.asOfRange) return;
      this.readFormAndReload();
    });
    let typing: number | undefined;
    this.q.addEventListener('input', () => {
      window.clearTimeout(typing);
      typing = window.setTimeout(() => this.readFormAndReload(), 350);
    });
    this.asOfRange.addEventListener('input', () => this.previewAsOfRange());
    this.asOfRange.addEventListener('change', () => this.readFormAndReload());
    byId<HTMLButtonElement>('reset').addEventListener('click', () => {
      this.filters = { ...EMPTY_FILTERS };
      this.writeForm();
      void this.reload();
    });
    byId<HTMLButtonElement>('asof-clear').addEventListener('click', () => this.backToLive());
    byId<HTMLButtonElement>('asof-banner-clear').addEventListener('click', () => this.backToLive());
    this.loadMore.addEventListener('click', () => void this.loadNextPage());
    window.addEventListener('hashchange', () => void this.revealLinkedEntry());
    window.addEventListener('popstate', () => {
      // A permalink click is a fragment navigation, which fires popstate too: the filters are the
      // same, so nothing is reloaded (that rebuilt the list and closed every open history).
      const next = filtersFromUrl(location.search);
      const language = initialContentLanguage(location.search, this.language);
      if (language !== this.language) {
        this.language = language;
        this.contentLanguage.value = language;
        this.renderTimeline();
      }
      if (filterParams(next, { order: true }).toString() === filterParams(this.filters, { order: true }).toString()) return;
      this.filters = next;
      this.writeForm();
      void this.reload(false);
    });
    void this.reload(false);
  }

  /**
   * The two language controls. The switch re-renders the cards in place and is kept in the URL
   * (`?lang=`, like the filters) and in localStorage; the interface language is remembered in
   * localStorage and applied by reloading the page (every string is then built once, in one language).
   */
  private mountLanguageControls(): void {
    this.contentLanguage.value = this.language;
    this.contentLanguage.addEventListener('change', () => {
      const value = this.contentLanguage.value;
      if (!isContentLanguage(value) || value === this.language) return;
      this.language = value;
      writeStorage(CONTENT_LANGUAGE_STORAGE_KEY, value);
      history.replaceState(null, '', `${this.pageQuery()}${location.hash}`);
      this.view.keepingPlace(() => this.renderTimeline());
    });
    this.uiLanguage.value = uiLocale();
    this.uiLanguage.addEventListener('change', () => {
      const value = this.uiLanguage.value;
      if (!isUiLocale(value) || value === uiLocale()) return;
      writeStorage(UI_LOCALE_STORAGE_KEY, value);
      location.reload();
    });
  }

  /**
   * The editor panel: a key field (the key goes to sessionStorage, never into the URL or a form
   * submission), shown only when the server names an ingest (INGEST_PUBLIC_URL). Turning the mode
   * on or off re-renders the cards with or without their editor actions.
   */
  private mountEditor(editor: EditorSession): void {
    this.editor = editor;
    const panel = byId('editor');
    panel.hidden = !editor.available;
    if (!editor.available) return;
    const form = byId<HTMLFormElement>('editor-form');
    const key = byId<HTMLInputElement>('editor-key');
    const on = byId('editor-on');
    const message = byId('editor-message');
    const show = () => {
      form.hidden = editor.active;
      on.hidden = !editor.active;
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = key.value.trim();
      if (!value) {
        message.textContent = t('editor.keyEmpty');
        key.focus();
        return;
      }
      key.value = '';
      message.textContent = '';
      editor.useKey(value);
      byId<HTMLButtonElement>('editor-forget').focus();
    });
    byId<HTMLButtonElement>('editor-forget').addEventListener('click', () => {
      editor.forget();
      key.focus();
    });
    editor.onChange(() => {
      show();
      this.view.keepingPlace(() => this.renderTimeline());
    });
    show();
    if (editor.active) this.view.keepingPlace(() => this.renderTimeline());
  }

  /** Rebuilds {@link incoming} from the loaded entries' outgoing relations. */
  private indexRelations(): void {
    // A link to a report merged into a survivor is a link to the survivor (the API's `viaReport`).
    const survivorOf = new Map<string, string>();
    for (const e of this.entries.values()) for (const id of e.mergedIds) survivorOf.set(id, e.id);
    const index = new Map<string, Relation[]>();
    for (const e of this.entries.values()) {
      // A retracted entry disputes nothing (as the API's `disputed`), even while "show retracted" lists it.
      if (e.status === 'retracted') continue;
      for (const r of e.relations.outgoing) {
        const target = survivorOf.get(r.entryId) ?? r.entryId;
        const list = index.get(target) ?? [];
        list.push({
          entryId: e.id,
          relation: r.relation,
          summary: shownSummary(e, this.language).text,
          ...(target !== r.entryId ? { viaReport: r.entryId } : {}),
        });
        index.set(target, list);
      }
    }
    this.incoming = index;
  }

  /** `?…` of the page: the filters and the language switch (an empty string for the defaults' bare path). */
  private pageQuery(): string {
    const qs = filterParams(this.filters, { order: true });
    if (this.language !== 'original') qs.set(CONTENT_LANGUAGE_PARAM, this.language);
    const text = qs.toString();
    return text ? `?${text}` : location.pathname;
  }

  /**
   * On a phone the filters live in a drawer (issue 15: the first entry started 2,385 px down): the
   * search stays on top, the toggle opens the rest over the page, Escape or the toggle closes it.
   */
  private mountFilterDrawer(): void {
    const toggle = byId<HTMLButtonElement>('filters-toggle');
    const sidebar = document.querySelector<HTMLElement>('aside.sidebar')!;
    const setOpen = (open: boolean) => {
      sidebar.classList.toggle('is-open', open);
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open
        ? t('filters.close')
        : this.activeFilterCount()
          ? t('filters.toggleCount', { n: this.activeFilterCount() })
          : t('filters.toggle');
      document.body.classList.toggle('drawer-open', open);
    };
    toggle.addEventListener('click', () => setOpen(!sidebar.classList.contains('is-open')));
    sidebar.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && sidebar.classList.contains('is-open')) {
        setOpen(false);
        toggle.focus();
      }
    });
    this.refreshDrawerToggle = () => setOpen(sidebar.classList.contains('is-open'));
    setOpen(false);
  }

  private refreshDrawerToggle = (): void => undefined;

  /** A card under the pointer or holding the keyboard focus lights up its markers on the map. */
  private linkListToMap(): void {
    const cardOf = (t: EventTarget | null) => (t instanceof Element ? t.closest<HTMLElement>('article.card') : null);
    this.timeline.addEventListener('mouseover', (ev) => this.map.highlight(cardOf(ev.target)?.dataset.entryId));
    this.timeline.addEventListener('mouseleave', () => this.map.highlight(cardOf(document.activeElement)?.dataset.entryId));
    this.timeline.addEventListener('focusin', (ev) => this.map.highlight(cardOf(ev.target)?.dataset.entryId));
    this.timeline.addEventListener('focusout', (ev) => {
      if (!cardOf(ev.relatedTarget)) this.map.highlight(undefined);
    });
  }

  /** How many filters besides the search are set (shown on the phone's drawer toggle). */
  private activeFilterCount(): number {
    const f = this.filters;
    return (
      f.types.length +
      f.actors.length +
      f.countries.length +
      f.tags.length +
      f.locations.length +
      f.stories.length +
      (f.confirmation ? 1 : 0) +
      (f.minSources > 0 ? 1 : 0) +
      (f.from ? 1 : 0) +
      (f.to ? 1 : 0) +
      (f.asOf ? 1 : 0)
    );
  }

  private backToLive(): void {
    this.filters = { ...this.filters, asOf: '' };
    this.writeForm();
    void this.reload();
  }

  private buildTypeOptions(): void {
    this.typeList.replaceChildren(
      ...Object.entries(TYPE_STYLES).map(([type, style]) => {
        const input = h('input', { type: 'checkbox', name: 'type', value: type, id: `type-${type}` });
        const label = h('label', { for: `type-${type}`, class: 'type-option' }, input, typeIcon(type, 14), typeLabel(type));
        label.style.setProperty('--type-colour', style.colour);
        return label;
      }),
    );
  }

  /** Filters → form controls. */
  private writeForm(): void {
    const f = this.filters;
    this.q.value = f.q;
    for (const box of this.typeList.querySelectorAll<HTMLInputElement>('input[name=type]')) box.checked = f.types.includes(box.value);
    this.refreshOptions();
    this.from.value = f.from;
    this.to.value = f.to;
    this.asOf.value = f.asOf ? toLocalInput(f.asOf) : '';
    this.retracted.checked = f.includeRetracted;
    this.confirmation.value = f.confirmation;
    // A number from a shared link that the list does not offer still shows (and stays selected).
    if (f.minSources > 0 && ![...this.minSources.options].some((o) => o.value === String(f.minSources))) {
      this.minSources.append(h('option', { value: String(f.minSources) }, t('filters.corroborationMin', { n: f.minSources })));
    }
    this.minSources.value = String(f.minSources);
    this.order.value = f.order;
  }

  /** Form controls → filters, then reload; an "as known at" in the future is refused, not sent. */
  private readFormAndReload(): void {
    const asOfLocal = this.asOf.value;
    const asOfError = byId('asof-error');
    if (asOfLocal && new Date(asOfLocal).getTime() > Date.now()) {
      this.asOf.setAttribute('aria-invalid', 'true');
      asOfError.textContent = t('filters.asOfFuture');
      asOfError.hidden = false;
      return;
    }
    this.asOf.removeAttribute('aria-invalid');
    asOfError.hidden = true;
    this.filters = {
      types: [...this.typeList.querySelectorAll<HTMLInputElement>('input[name=type]:checked')].map((b) => b.value),
      actors: selected(this.actor),
      countries: selected(this.country),
      locations: selected(this.place),
      tags: selected(this.tag),
      stories: selected(this.story),
      confirmation: this.confirmation.value === 'confirmed' || this.confirmation.value === 'reported' ? this.confirmation.value : '',
      minSources: Number(this.minSources.value) || 0,
      q: this.q.value,
      from: this.from.value,
      to: this.to.value,
      asOf: asOfLocal ? new Date(asOfLocal).toISOString() : '',
      includeRetracted: this.retracted.checked,
      order: this.order.value === 'asc' ? 'asc' : 'desc',
    };
    void this.reload();
  }

  private previewAsOfRange(): void {
    const t = this.rangeToTime(Number(this.asOfRange.value));
    this.asOf.value = toLocalInput(new Date(t).toISOString());
  }

  /** Puts the slider where `asOf` lies between the earliest recorded entry and now (the end when live). */
  private syncAsOfRange(): void {
    if (!this.filters.asOf) {
      this.asOfRange.value = '1000';
      return;
    }
    const min = this.earliestRecorded ?? Date.now() - 90 * 86_400_000;
    const span = Math.max(1, Date.now() - min);
    this.asOfRange.value = String(Math.max(0, Math.min(1000, Math.round(((Date.parse(this.filters.asOf) - min) / span) * 1000))));
  }

  private rangeToTime(v: number): number {
    const min = this.earliestRecorded ?? Date.now() - 90 * 86_400_000;
    return Math.round(min + ((Date.now() - min) * v) / 1000);
  }

  /**
   * Loads the first page and the chart for the current filters, each on its own (issue 15: a 500
   * from `/v1/stats` made the whole page "could not be loaded" although the timeline had loaded);
   * (re)starts the live feed once the timeline is in.
   */
  private async reload(pushUrl = true): Promise<void> {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    this.feed.stop();
    if (pushUrl) {
      // The hash stays: a permalink that cleared the filters to show its entry still points at it.
      history.pushState(null, '', `${this.pageQuery()}${location.hash}`);
    }
    this.updateAsOfBanner();
    this.refreshDrawerToggle();
    await Promise.all([this.loadTimeline(abort.signal), this.loadChart(abort.signal)]);
  }

  /** The timeline panel: first page, then live updates; on failure the panel says why and offers a retry. */
  private async loadTimeline(signal: AbortSignal): Promise<void> {
    this.feed.stop();
    this.timeline.setAttribute('aria-busy', 'true');
    this.errorBox.hidden = true;
    this.showLiveState({ state: 'connecting' });
    try {
      const params = filterParams(this.filters, { order: true });
      params.set('limit', String(PAGE_SIZE));
      const page = await timelineApi.timeline(params, signal);
      if (signal.aborted) return;
      this.entries = new Map(page.data.map((e) => [e.id, e]));
      this.nextCursor = page.page.nextCursor;
      this.hasMore = page.page.hasMore;
      this.learn(page.data);
      this.refreshOptions();
      this.syncAsOfRange();
      this.renderTimeline();
      this.setExportsEnabled(true);
      if (!this.linkRevealed) void this.revealLinkedEntry();
      if (this.filters.asOf) this.showLiveState({ state: 'paused' });
      else this.feed.start(page.streamPosition);
    } catch (err) {
      if (signal.aborted) return;
      this.showTimelineError(err);
    } finally {
      if (!signal.aborted) this.timeline.removeAttribute('aria-busy');
    }
  }

  /**
   * A permalink `#entry-<id>`: scrolls to the entry, opens its version history and focuses it. An
   * entry outside the current filters is looked up; if it exists, the filters are cleared to show it.
   */
  private async revealLinkedEntry(): Promise<void> {
    const m = /^#entry-([A-Za-z0-9-]{1,80})$/.exec(location.hash);
    if (!m) return;
    this.linkRevealed = true;
    const id = m[1]!;
    const card = document.getElementById(`entry-${id}`);
    if (!card) {
      const filtered = filterParams(this.filters).toString() !== '';
      const exists = await timelineApi.entry(id).then(
        () => true,
        () => false,
      );
      if (exists && filtered) {
        this.filters = { ...EMPTY_FILTERS, order: this.filters.order };
        this.writeForm();
        this.linkRevealed = false;
        void this.reload();
      } else {
        this.announce(exists ? t('list.linkedNotLoaded') : t('list.linkedMissing'));
        this.errorBox.hidden = false;
        this.errorBox.replaceChildren(exists ? t('list.linkedFurther') : t('list.noSuchEntry', { id }));
      }
      return;
    }
    this.revealCard(card);
  }

  /** Scrolls to a card, opens its version history and focuses it (a permalink, a map marker). */
  private revealCard(card: HTMLElement): void {
    for (const c of document.querySelectorAll('.card.is-target')) c.classList.remove('is-target');
    card.classList.add('is-target');
    const history = card.querySelector<HTMLDetailsElement>('details.history');
    if (history) history.open = true;
    card.setAttribute('tabindex', '-1');
    card.scrollIntoView({ block: 'start' });
    card.focus({ preventScroll: true });
  }

  /** The chart panel: loads and fails on its own, with its own retry. */
  private async loadChart(signal: AbortSignal): Promise<void> {
    this.chart.setAttribute('aria-busy', 'true');
    try {
      const params = filterParams(this.filters);
      if (this.chart.clientWidth < CHART_WEEKLY_BELOW_PX) params.set('bucket', 'week');
      const stats = await timelineApi.stats(params, signal);
      if (signal.aborted) return;
      for (const a of stats.actors) this.knownActors.set(a.id, a.name);
      this.refreshOptions();
      this.renderChart(stats);
    } catch (err) {
      if (signal.aborted) return;
      this.chart.replaceChildren(
        panelError(t('error.chart', { reason: problemText(err) }), () => void this.loadChart(this.loading?.signal ?? signal)),
      );
    } finally {
      if (!signal.aborted) this.chart.removeAttribute('aria-busy');
    }
  }

  /**
   * A failed timeline query leaves nothing that looks current (issue 15: From after To kept the old
   * results, a "Live" badge over a stopped stream and export links to the failing query).
   */
  private showTimelineError(err: unknown): void {
    const text = problemText(err);
    this.feed.stop();
    this.entries.clear();
    this.hasMore = false;
    this.nextCursor = null;
    this.view.clear();
    this.map.update([]);
    this.loadMore.hidden = true;
    this.summaryLine.textContent = t('list.noResultsFailed');
    this.setExportsEnabled(false);
    this.showLiveState({ state: 'error', reason: t('live.queryFailed', { reason: text }) });
    this.errorBox.hidden = false;
    this.errorBox.replaceChildren(
      panelError(t('error.timeline', { reason: text }), () => void this.loadTimeline(this.loading?.signal ?? new AbortController().signal)),
    );
  }

  private setExportsEnabled(enabled: boolean): void {
    for (const format of ['timelinejs', 'csv', 'ndjson'] as const) {
      const link = byId<HTMLAnchorElement>(`export-${format}`);
      if (enabled) {
        link.removeAttribute('aria-disabled');
        link.href = timelineApi.exportUrl(format, filterParams(this.filters, { order: true }));
      } else {
        link.setAttribute('aria-disabled', 'true');
        link.removeAttribute('href');
      }
    }
    byId('export-hint').textContent = enabled ? t('export.hint') : t('export.off');
  }

  private async loadNextPage(): Promise<void> {
    if (!this.nextCursor) return;
    this.loadMore.disabled = true;
    try {
      const params = filterParams(this.filters, { order: true });
      params.set('limit', String(PAGE_SIZE));
      params.set('cursor', this.nextCursor);
      const page = await timelineApi.timeline(params);
      for (const e of page.data) this.entries.set(e.id, e);
      this.nextCursor = page.page.nextCursor;
      this.hasMore = page.page.hasMore;
      this.learn(page.data);
      this.refreshOptions();
      this.renderTimeline();
    } catch (err) {
      this.showError(err);
    } finally {
      this.loadMore.disabled = false;
    }
  }

  private learn(entries: Entry[]): void {
    for (const e of entries) {
      for (const a of e.actors) {
        this.knownActors.set(a.id, a.name);
        if (a.country) this.knownCountries.add(a.country);
      }
      for (const l of e.locations) {
        this.knownCountries.add(l.country);
        this.knownPlaces.add(l.name);
      }
      for (const t of e.tags) this.knownTags.add(t);
      this.knownStories.add(e.storyId);
      const rec = Date.parse(e.recordedAt);
      if (!Number.isNaN(rec) && (this.earliestRecorded === undefined || rec < this.earliestRecorded)) this.earliestRecorded = rec;
    }
  }

  /** The list filters offer what the loaded entries carry, plus whatever the URL selected. */
  private refreshOptions(): void {
    const f = this.filters;
    fillMulti(
      this.actor,
      [...this.knownActors].sort((a, b) => a[1].localeCompare(b[1])),
      f.actors,
    );
    fillMulti(
      this.country,
      [...this.knownCountries].sort().map((c) => [c, `${regionName(c)} (${c})`] as [string, string]),
      f.countries,
    );
    fillMulti(
      this.place,
      [...this.knownPlaces].sort((a, b) => a.localeCompare(b)).map((p) => [p, p] as [string, string]),
      f.locations,
    );
    fillMulti(
      this.tag,
      [...this.knownTags].sort().map((t) => [t, t] as [string, string]),
      f.tags,
    );
    fillMulti(
      this.story,
      [...this.knownStories].sort().map((t) => [t, t] as [string, string]),
      f.stories,
    );
  }

  private renderTimeline(): void {
    this.indexRelations();
    this.view.language = this.language;
    this.view.render([...this.entries.values()], this.filters.order, this.filters.asOf, this.emptyText());
    this.map.update(this.mapEntries());
    this.renderSummary();
  }

  /** The loaded entries for the map, each listed by the text its card shows. */
  private mapEntries(): Entry[] {
    return [...this.entries.values()].map((e) => ({ ...e, summary: shownSummary(e, this.language).text }));
  }

  /** Why the list is empty: with "as known at", whether anything had been recorded by then at all. */
  private emptyText(): string {
    const asOf = this.filters.asOf;
    if (!asOf) return t('list.empty');
    const when = formatInstant(asOf);
    const onlyAsOf = filterParams({ ...this.filters, asOf: '' }).toString() === '';
    return onlyAsOf ? t('list.emptyBefore', { when }) : t('list.emptyAsOf', { when });
  }

  private renderSummary(): void {
    const list = [...this.entries.values()];
    this.loadMore.hidden = !this.hasMore;
    const sorted = list.sort(compareEntries);
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    const span = first && last ? dateSpan(first.day, last.day) : '';
    this.summaryLine.textContent = first
      ? t('list.summary', { count: `${list.length}${this.hasMore ? '+' : ''}`, n: list.length, span })
      : t('list.noEntries');
    this.loadMore.textContent = this.filters.order === 'desc' ? t('list.loadEarlier') : t('list.loadLater');
  }

  private renderChart(stats: Parameters<typeof typeChart>[0]): void {
    const span = stats.bucket === 'week' ? 7 : 1;
    byId('overview-title').textContent = span === 7 ? t('overview.perWeek') : t('overview.perDay');
    this.chart.replaceChildren(
      typeChart(
        stats,
        (start) => {
          const end = new Date(Date.parse(`${start}T00:00:00Z`) + span * 86_400_000).toISOString().slice(0, 10);
          const target = [...document.querySelectorAll<HTMLElement>('section.day')]
            .filter((s) => s.dataset.day! >= start && s.dataset.day! < end)
            .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0];
          target?.scrollIntoView({ behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth', block: 'start' });
          target?.querySelector<HTMLElement>('.day-title')?.setAttribute('tabindex', '-1');
          target?.querySelector<HTMLElement>('.day-title')?.focus({ preventScroll: true });
        },
        this.chart.clientWidth || 960,
      ),
    );
  }

  private scheduleStatsRefresh(): void {
    window.clearTimeout(this.statsTimer);
    this.statsTimer = window.setTimeout(() => {
      const params = filterParams(this.filters);
      if (this.chart.clientWidth < CHART_WEEKLY_BELOW_PX) params.set('bucket', 'week');
      timelineApi.stats(params).then(
        (stats) => this.view.keepingPlace(() => this.renderChart(stats)),
        () => undefined,
      );
    }, 800);
  }

  /** A change from the live stream: insert, update or remove the card, flash it, announce it. */
  private applyChange(change: EntryChange): void {
    const e = change.entry;
    const known = this.entries.get(e.id);
    if (change.change === 'retracted' && !this.filters.includeRetracted) {
      if (!known) return;
      this.entries.delete(e.id);
      this.view.remove(e.id);
      this.map.update(this.mapEntries(), { keepView: true });
      this.renderSummary();
      this.announce(t('list.announceRetracted', { summary: shownSummary(e, this.language).text }));
      this.scheduleStatsRefresh();
      return;
    }
    // An entry.merged made it a report of another entry: it leaves the list (the survivor's own
    // change, which arrives too, brings the grown counts).
    if (e.mergedInto) {
      if (!known) return;
      this.entries.delete(e.id);
      this.indexRelations();
      this.view.remove(e.id);
      this.map.update(this.mapEntries(), { keepView: true });
      this.renderSummary();
      this.announce(t('list.announceMerged', { summary: shownSummary(e, this.language).text }));
      this.scheduleStatsRefresh();
      return;
    }
    if (!known && !withinLoadedRange(e, [...this.entries.values()], this.hasMore, this.filters.order)) {
      this.scheduleStatsRefresh();
      return;
    }
    // Keep the notices the page already had: a live message carries only its own change.
    const corrections = [...(known?.corrections ?? []), ...e.corrections].filter(
      (c, i, all) => all.findIndex((x) => x.version === c.version) === i,
    );
    // The stream does not work out `disputed` (it comes from other entries' relations): keep what the
    // page knew, and ask the API again below when a claim relation or a merge may have changed it.
    const next = { ...e, corrections, disputed: known?.disputed ?? e.disputed };
    this.entries.set(e.id, next);
    this.learn([e]);
    this.indexRelations();
    this.view.upsert(next);
    const stale = [
      ...(change.change === 'created' ? [] : [e.id]),
      ...e.relations.outgoing.map((r) => this.loadedEntryOf(r.entryId)).filter((id): id is string => id !== undefined),
    ];
    if (stale.length && (change.change !== 'corrected' || e.relations.outgoing.length)) void this.refreshEntries(stale);
    this.map.update(this.mapEntries(), { keepView: true });
    this.renderSummary();
    const card = document.getElementById(`entry-${e.id}`);
    card?.classList.add('is-new');
    window.setTimeout(() => card?.classList.remove('is-new'), 6000);
    this.announce(
      t(
        change.change === 'created'
          ? 'list.announceNew'
          : change.change === 'corrected' || change.change === 'retracted'
            ? 'list.announceCorrected'
            : 'list.announceUpdated',
        {
          when: formatEntryDate(e, () => e.displayDate),
          summary: shownSummary(e, this.language).text,
        },
      ),
    );
    this.scheduleStatsRefresh();
  }

  /** `id` when its card is loaded, else the loaded survivor it was merged into, else undefined. */
  private loadedEntryOf(id: string): string | undefined {
    if (this.entries.has(id)) return id;
    for (const e of this.entries.values()) if (e.mergedIds.includes(id)) return e.id;
    return undefined;
  }

  /**
   * Re-reads loaded entries whose `disputed` or claim thread may have changed (a denial arrived, a
   * merge or split moved reports) and patches their cards in place.
   */
  private async refreshEntries(ids: readonly string[]): Promise<void> {
    for (const id of new Set(ids)) {
      const detail = await timelineApi.entry(id).catch(() => undefined);
      const known = this.entries.get(id);
      if (!detail || !known || detail.entry.mergedInto) continue;
      if (detail.entry.version < known.version) continue;
      const next = { ...detail.entry, corrections: known.corrections, snippet: known.snippet, matchedLanguages: known.matchedLanguages };
      this.entries.set(id, next);
      this.indexRelations();
      this.view.upsert(next);
    }
  }

  private announce(text: string): void {
    this.announcer.textContent = text;
  }

  /** The masthead badge says what the feed really does, and why when it does not. */
  private showLiveState(status: LiveStatus): void {
    this.liveStatus.dataset.state = status.state;
    this.liveStatus.querySelector('.live-label')!.textContent = t(LIVE_LABELS[status.state]);
    const reason = status.reason
      ? `${status.reason}${status.retryInSeconds ? ` ${t('live.retryIn', { n: status.retryInSeconds })}` : ''}`
      : status.state === 'paused'
        ? t('live.pausedReason')
        : '';
    this.liveReason.textContent = reason;
    this.liveReason.hidden = !reason;
  }

  private updateAsOfBanner(): void {
    const asOf = this.filters.asOf;
    this.asOfBanner.hidden = !asOf;
    if (asOf) {
      byId('asof-banner-time').textContent = formatInstant(asOf);
    }
    document.body.classList.toggle('as-of-mode', Boolean(asOf));
  }

  private showError(err: unknown): void {
    this.errorBox.hidden = false;
    this.errorBox.replaceChildren(panelError(t('error.more', { reason: problemText(err) }), () => void this.loadNextPage()));
  }
}

/** "1 December 2026, 16:31:05 (Europe/Berlin; 15:31:05 UTC)": an instant in the viewer's zone, to the second. */
function formatInstant(iso: string): string {
  const d = new Date(iso);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const local = d.toLocaleString(uiLocale() === 'uk' ? 'uk' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
  const utc = d.toISOString().slice(11, 19);
  return zone === 'UTC' || zone === 'Etc/UTC' ? `${local} UTC` : `${local} (${zone}; ${utc} UTC)`;
}

/** The chosen values of a `<select multiple>`. */
function selected(select: HTMLSelectElement): string[] {
  return [...select.selectedOptions].map((o) => o.value);
}

/** Fills a `<select multiple>` with `options` (value, label) and any selected value not among them. */
function fillMulti(select: HTMLSelectElement, options: [string, string][], chosen: readonly string[]): void {
  const all = [...options, ...chosen.filter((c) => !options.some(([v]) => v === c)).map((c) => [c, c] as [string, string])];
  select.replaceChildren(...all.map(([value, label]) => h('option', { value, selected: chosen.includes(value) }, label)));
}

/** What went wrong, in the API's words when it said something. */
function problemText(err: unknown): string {
  return err instanceof ApiProblem ? err.message : t('error.connection');
}

/** A panel's failure: the reason and a retry button. */
function panelError(text: string, retry: () => void): HTMLElement {
  return h(
    'div',
    { class: 'panel-error' },
    h('p', {}, text),
    h('button', { type: 'button', class: 'button button-small retry', onclick: () => retry() }, t('common.retry')),
  );
}

/** "10 November 2021 – 24 February 2022", or one date when both ends are the same day. */
function dateSpan(firstDay: string, lastDay: string): string {
  const strip = (d: string) => formatDay(d, (day) => dayHeading(day).replace(/^\w+ /, ''));
  return firstDay === lastDay ? strip(firstDay) : `${strip(firstDay)} – ${strip(lastDay)}`;
}

/** ISO instant → value of an `<input type=datetime-local step=1>` (the user's local clock, to the second). */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** localStorage, which a browser may refuse (private mode, storage off): then nothing is remembered. */
function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* not remembered; the URL still carries the switch */
  }
}

// The interface language before anything is built: every string below is written once, in it.
setUiLocale(initialUiLocale(readStorage(UI_LOCALE_STORAGE_KEY), navigator.languages?.length ? navigator.languages : [navigator.language]));
localizeDocument(document);
const dashboard = new NewsroomDashboard();
dashboard.start();
new ReplayMode(
  document.querySelector<HTMLElement>('aside.sidebar')!,
  byId('main'),
  { from: byId('f-from'), to: byId('f-to'), asOf: byId('f-asof') },
  () => dashboard.currentFilters(),
  (id) => dashboard.actorName(id),
).mount();
