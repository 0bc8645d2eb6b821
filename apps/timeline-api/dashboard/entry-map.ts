import { h, s } from './dom.js';
import { formatEntryDate, t } from './i18n.js';
import { displayWhen } from './timeline-model.js';
import {
  clusterLabel,
  clusterPoints,
  countryShapes,
  fitView,
  mapPoints,
  markerRadius,
  type CountryShape,
  type Locatable,
  type MapCluster,
  type MapPoint,
  type Topology,
  type ViewBox,
} from './map-model.js';

/** Country outlines: world-atlas's 1:110m TopoJSON, served by the API itself (no tile server, no internet). */
const SHAPES_URL = '/assets/map/countries-110m.json';
const PRECISION_WORDS = { 1: 'map.precision1', 2: 'map.precision2', 3: 'map.precision3' } as const;

/** What the map needs of an entry: where, and a line to list it by. */
export interface MapEntry extends Locatable {
  readonly displayDate: string;
  readonly occurredAt: string;
  readonly occurredTz?: string | null;
  readonly occurredUntil?: string | null;
  readonly occurredAtPrecision: 'day' | 'hour' | 'minute' | 'second';
  readonly summary: string;
}

/** A cluster whose places lie further apart than this on screen zooms in when chosen; a tighter one lists its entries. */
const ZOOM_SPREAD_PX = 20;
/** Narrowest zoomed view, in plane units (≈ 11° of longitude). */
const ZOOM_MIN_WIDTH = 30;

/** What the map asks of the page. */
export interface MapCallbacks {
  /** Show this entry in the list (scroll to it, open it, focus it). */
  readonly reveal: (entryId: string) => void;
  /** Narrow the filters to these places. */
  readonly filterPlaces: (places: string[]) => void;
}

/**
 * The map of the filtered entries: inline SVG of the country outlines and one marker per grid
 * cluster, fitted to the entries shown. Markers are one Tab stop (arrow keys move between them,
 * Enter or a click opens them); a marker of one entry reveals that entry's card, one of several
 * lists them. A card under the pointer or the keyboard lights its markers up ({@link highlight}).
 * Everything is drawn with elements and attributes (the page's CSP allows no inline style).
 */
export class EntryMap {
  private shapes?: CountryShape[];
  private shapesFailed = false;
  private entries: readonly MapEntry[] = [];
  private clusters: MapCluster[] = [];
  private focusedKey?: string;
  private highlighted?: string;
  /** The zoomed-in view (a cluster chosen), or none: fitted to every entry. */
  private zoom?: ViewBox;
  private readonly failure = h(
    'div',
    { class: 'panel-error map-error', role: 'alert', hidden: true },
    h('p', {}),
    h('button', { type: 'button', class: 'button button-small retry', onclick: () => void this.load() }, t('common.retry')),
  );
  private readonly reset = h(
    'button',
    { type: 'button', id: 'map-reset', class: 'button button-small map-reset', hidden: true },
    t('map.showWhole'),
  );
  private readonly svg = s('svg', { class: 'map-svg', role: 'group', 'aria-labelledby': 'map-title', 'aria-describedby': 'map-hint' });
  private readonly popup = h('div', {
    id: 'map-popup',
    class: 'map-popup',
    role: 'dialog',
    'aria-labelledby': 'map-popup-title',
    hidden: true,
  });

  constructor(
    private readonly box: HTMLElement,
    private readonly summary: HTMLElement,
    private readonly callbacks: MapCallbacks,
  ) {
    box.replaceChildren(this.svg, this.reset, this.popup);
    box.before(this.failure);
    this.reset.addEventListener('click', () => {
      this.zoom = undefined;
      this.focusedKey = undefined;
      this.draw(true);
    });
    this.svg.addEventListener('keydown', (ev) => this.onKey(ev));
    let resizing: number | undefined;
    window.addEventListener('resize', () => {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(() => this.draw(), 150);
    });
    this.popup.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.closePopup(true);
    });
  }

  /**
   * Loads the outlines once. The panel fails on its own: without them the markers are still drawn,
   * and the panel says so with a Retry.
   */
  async load(): Promise<void> {
    this.failure.hidden = true;
    try {
      const res = await fetch(SHAPES_URL);
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      this.shapes = countryShapes((await res.json()) as Topology);
      this.shapesFailed = false;
    } catch (err) {
      this.shapesFailed = true;
      this.failure.querySelector('p')!.textContent = t('map.outlinesFailed', {
        reason: err instanceof Error ? err.message : t('map.networkError'),
      });
      this.failure.hidden = false;
    }
    this.draw();
  }

  /**
   * The entries now shown in the list. A new query or page fits the map to them again; a live
   * change (`keepView`) leaves a zoomed-in view where it is.
   */
  update(entries: readonly MapEntry[], opts: { keepView?: boolean } = {}): void {
    this.entries = entries;
    if (!opts.keepView) this.zoom = undefined;
    this.draw();
  }

  /** Lights up the markers of `entryId` (a card hovered or focused), or none. */
  highlight(entryId: string | undefined): void {
    this.highlighted = entryId;
    for (const g of this.svg.querySelectorAll<SVGGElement>('g.marker')) {
      const ids = (g.dataset.entries ?? '').split(' ');
      g.classList.toggle('is-highlighted', entryId !== undefined && ids.includes(entryId));
    }
  }

  private draw(focusMarkers = false): void {
    const width = this.box.clientWidth || 600;
    const height = this.box.clientHeight || 300;
    const { points, unlocated } = mapPoints(this.entries);
    const view = this.zoom ?? fitView(points, width / height);
    const unit = view.width / width;
    // Zoomed in, only what is in view becomes a marker (one off-screen could still take focus).
    const visible = this.zoom
      ? points.filter((p) => p.x >= view.x && p.x <= view.x + view.width && p.y >= view.y && p.y <= view.y + view.height)
      : points;
    this.clusters = clusterPoints(visible, view, width);
    this.reset.hidden = !this.zoom;
    this.svg.setAttribute('viewBox', `${r(view.x)} ${r(view.y)} ${r(view.width)} ${r(view.height)}`);
    this.svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    const land = s(
      'g',
      { class: 'map-land', 'aria-hidden': 'true' },
      ...(this.shapes ?? []).map((c) => s('path', { d: c.d, class: 'country' })),
    );
    const markers = s('g', { class: 'map-markers' }, ...this.clusters.map((c) => this.marker(c, unit)));
    const hadFocus = focusMarkers || this.svg.contains(document.activeElement);
    this.svg.replaceChildren(s('title', {}, t('map.svgTitle')), land, markers);
    this.rovingFocus(hadFocus);
    this.highlight(this.highlighted);
    // An open list stays open while its marker still exists (a live change elsewhere).
    const open = this.svg.querySelector<SVGGElement>(`g.marker[data-key="${this.popup.dataset.key ?? ''}"]`);
    if (!this.popup.hidden && open) open.classList.add('is-open');
    else this.closePopup(false);

    const located = new Set(points.map((p) => p.entryId)).size;
    this.summary.textContent =
      this.entries.length === 0
        ? t('map.noEntries')
        : `${t('map.placed', { located, n: this.entries.length })}${unlocated ? t('map.unlocated', { n: unlocated }) : ''}${this.zoom ? t('map.zoomed') : ''}${this.shapesFailed ? t('map.outlinesUnavailable') : ''}`;
  }

  private marker(c: MapCluster, unit: number): SVGGElement {
    const radius = markerRadius(c) * unit;
    const many = c.entryIds.length > 1;
    const action = !many ? 'open' : spreadPx(c, unit) > ZOOM_SPREAD_PX ? 'zoom' : 'list';
    const hint = t(({ open: 'map.opens', zoom: 'map.zooms', list: 'map.lists' } as const)[action]);
    const g = s(
      'g',
      {
        class: `marker precision-${c.precision}${many ? ' is-cluster' : ''}`,
        role: 'button',
        tabindex: -1,
        'aria-label': t('map.marker', { label: clusterLabel(c), precision: t(PRECISION_WORDS[c.precision]), action: hint }),
        'data-action': action,
        'data-key': c.key,
        'data-entries': c.entryIds.join(' '),
        'data-precision': c.precision,
      },
      s('circle', { cx: r(c.x), cy: r(c.y), r: r(radius), class: 'marker-dot' }),
      many
        ? s(
            'text',
            {
              x: r(c.x),
              y: r(c.y),
              dy: '0.35em',
              'text-anchor': 'middle',
              'font-size': r(11 * unit),
              class: 'marker-count',
              'aria-hidden': 'true',
            },
            String(c.entryIds.length),
          )
        : null,
    );
    g.addEventListener('click', () => this.open(c, g));
    g.addEventListener('focus', () => {
      this.focusedKey = c.key;
    });
    return g;
  }

  /** One marker is the Tab stop: the one focused last, else the first. */
  private rovingFocus(refocus: boolean): void {
    const markers = [...this.svg.querySelectorAll<SVGGElement>('g.marker')];
    const current = markers.find((m) => m.dataset.key === this.focusedKey) ?? markers[0];
    for (const m of markers) m.setAttribute('tabindex', m === current ? '0' : '-1');
    if (refocus) current?.focus({ preventScroll: true });
  }

  private onKey(ev: KeyboardEvent): void {
    const target = (ev.target as Element).closest<SVGGElement>('g.marker');
    if (!target) return;
    const markers = [...this.svg.querySelectorAll<SVGGElement>('g.marker')];
    const i = markers.indexOf(target);
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
    if (step !== undefined) {
      ev.preventDefault();
      const next = markers[(i + step + markers.length) % markers.length];
      if (!next) return;
      target.setAttribute('tabindex', '-1');
      next.setAttribute('tabindex', '0');
      next.focus();
    } else if (ev.key === 'Home' || ev.key === 'End') {
      ev.preventDefault();
      markers[ev.key === 'Home' ? 0 : markers.length - 1]?.focus();
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      target.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    }
  }

  /** One entry: show its card. Places far apart: zoom in on them. Close together: list the entries, with a filter to these places. */
  private open(c: MapCluster, marker: SVGGElement): void {
    this.focusedKey = c.key;
    if (marker.dataset.action === 'open') {
      this.closePopup(false);
      this.callbacks.reveal(c.entryIds[0]!);
      return;
    }
    if (marker.dataset.action === 'zoom') {
      const width = this.box.clientWidth || 600;
      const height = this.box.clientHeight || 300;
      this.zoom = fitView(c.points, width / height, ZOOM_MIN_WIDTH);
      this.focusedKey = undefined;
      this.draw(true);
      return;
    }
    const byId = new Map(this.entries.map((e) => [e.id, e]));
    const places = [...new Set(c.points.map((p: MapPoint) => p.place))];
    const close = h('button', { type: 'button', class: 'link-button map-popup-close' }, t('map.close'));
    close.addEventListener('click', () => this.closePopup(true));
    const filter = h(
      'button',
      { type: 'button', class: 'button button-small' },
      places.length === 1 ? t('map.onlyPlace', { place: places[0]! }) : t('map.onlyPlaces'),
    );
    filter.addEventListener('click', () => this.callbacks.filterPlaces(places));
    this.popup.replaceChildren(
      h('div', { class: 'map-popup-head' }, h('h3', { id: 'map-popup-title' }, clusterLabel(c)), close),
      h(
        'ul',
        { class: 'map-popup-list' },
        ...c.entryIds.map((id) => {
          const e = byId.get(id);
          const b = h(
            'button',
            { type: 'button', class: 'link-button' },
            e ? `${formatEntryDate(e, () => displayWhen(e))}: ${shorten(e.summary, 110)}` : id,
          );
          b.addEventListener('click', () => {
            this.closePopup(false);
            this.callbacks.reveal(id);
          });
          return h('li', {}, b);
        }),
      ),
      filter,
    );
    this.popup.hidden = false;
    this.popup.dataset.key = c.key;
    marker.classList.add('is-open');
    this.popup.querySelector<HTMLButtonElement>('.map-popup-list button')?.focus();
  }

  private closePopup(returnFocus: boolean): void {
    if (this.popup.hidden) return;
    const key = this.popup.dataset.key;
    this.popup.hidden = true;
    const marker = [...this.svg.querySelectorAll<SVGGElement>('g.marker')].find((m) => m.dataset.key === key);
    marker?.classList.remove('is-open');
    if (returnFocus) marker?.focus();
  }
}

const r = (v: number) => Math.round(v * 100) / 100;

/** How far apart a cluster's places lie on screen, in pixels. */
function spreadPx(c: MapCluster, unit: number): number {
  const xs = c.points.map((p) => p.x);
  const ys = c.points.map((p) => p.y);
  return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / unit;
}

/** The first `max` characters, cut at a word, with an ellipsis. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20)).trimEnd()}…`;
}
