import { h } from './dom.js';
import { NO_CONTEXT, type CardContext } from './corroboration-view.js';
import { entryCard } from './entry-card.js';
import type { ContentLanguage } from './entry-language.js';
import { formatDayHeading, t } from './i18n.js';
import { compareEntries, dayHeading, groupByDay, type Entry } from './timeline-model.js';

/** Where a live change landed relative to what the reader is looking at. */
export type PatchPlacement = 'above' | 'visible' | 'below' | 'none';

/**
 * The `#timeline` list of day sections and cards. A page load renders it whole; a live change
 * patches one card (insert, replace, remove) so the reader keeps their place (issue 15: every live
 * update rebuilt the list, moved the card being read by 170 px, collapsed its open history and
 * dropped focus to `<body>`). Around each patch the first visible card is measured and the window
 * scrolled back by however far it moved, so content added or removed above the viewport never
 * shifts the page; entries that arrive above it are counted in the "N new entries" pill instead.
 */
export class TimelineView {
  private order: 'asc' | 'desc' = 'desc';
  private asOf = '';
  /** The language switch's choice: which text each card shows. */
  language: ContentLanguage = 'original';
  /** The editor mode and the relations among loaded entries, for each card (issue 14). */
  context: CardContext = NO_CONTEXT;
  private readonly unseen = new Set<string>();
  /** The entry each card shows, for ordering an insert among its day's cards. */
  private readonly entryOf = new WeakMap<Element, Entry>();
  private readonly pill = h('button', { type: 'button', id: 'new-entries', class: 'new-entries-pill', hidden: true });

  constructor(private readonly root: HTMLElement) {
    root.before(this.pill);
    this.pill.addEventListener('click', () => this.showUnseen());
    window.addEventListener('scroll', () => this.dropSeen(), { passive: true });
  }

  /** Replaces the whole list (a new query or another page). */
  render(entries: readonly Entry[], order: 'asc' | 'desc', asOf: string, emptyText = t('list.empty')): void {
    this.order = order;
    this.asOf = asOf;
    this.unseen.clear();
    this.updatePill();
    const groups = groupByDay(entries, order);
    this.root.replaceChildren(
      ...groups.map((g) =>
        this.daySection(
          g.day,
          g.entries.map((e) => this.card(e)),
        ),
      ),
    );
    if (entries.length === 0) this.root.append(h('p', { class: 'empty' }, emptyText));
  }

  /** Empties the list (a failed query shows nothing that could pass for its result). */
  clear(): void {
    this.unseen.clear();
    this.updatePill();
    this.root.replaceChildren();
  }

  /** Inserts or replaces the card of `entry`, keeping scroll position, open history and focus. */
  upsert(entry: Entry): PatchPlacement {
    const old = document.getElementById(`entry-${entry.id}`);
    const card = this.card(entry);
    const shown = old ? this.entryOf.get(old) : undefined;
    const placement = this.keepingPlace(() => {
      if (!old) {
        this.root.querySelector(':scope > p.empty')?.remove();
        this.insert(card, entry);
        return;
      }
      const restore = carryOver(old, card);
      // A correction that moves the date moves the card; otherwise it is swapped where it stands.
      if (shown && shown.day === entry.day && compareEntries(shown, entry) === 0) old.replaceWith(card);
      else {
        this.detach(old);
        this.insert(card, entry);
      }
      restore();
    }, card);
    if (!old && placement === 'above') {
      this.unseen.add(entry.id);
      this.updatePill();
    }
    return placement;
  }

  /** Removes the card of `id` (a retraction while retracted entries are hidden). */
  remove(id: string): void {
    const old = document.getElementById(`entry-${id}`);
    if (!old) return;
    const hadFocus = old.contains(document.activeElement);
    this.keepingPlace(() => this.detach(old));
    this.unseen.delete(id);
    this.updatePill();
    if (hadFocus) this.root.focus({ preventScroll: true });
    if (!this.root.querySelector('article.card')) this.root.replaceChildren(h('p', { class: 'empty' }, t('list.empty')));
  }

  /**
   * Runs a DOM change with the first visible card pinned where it was on screen; reports where
   * `changed` ended up relative to the viewport. Also for changes elsewhere on the page (the chart).
   */
  keepingPlace(change: () => void, changed?: HTMLElement): PatchPlacement {
    // A reader at the very top sees new entries arrive in place; anyone further down keeps their card.
    const anchor =
      window.scrollY < 1
        ? undefined
        : [...this.root.querySelectorAll<HTMLElement>('article.card')].find((c) => c.getBoundingClientRect().bottom > 0);
    const anchorId = anchor?.id;
    const before = anchor?.getBoundingClientRect().top;
    change();
    const after = anchorId ? document.getElementById(anchorId) : null;
    if (after && before !== undefined && after.isConnected) {
      const moved = after.getBoundingClientRect().top - before;
      if (Math.abs(moved) > 0.5) window.scrollBy({ top: moved, behavior: 'instant' });
    }
    if (!changed?.isConnected) return 'none';
    const r = changed.getBoundingClientRect();
    return r.bottom <= 0 ? 'above' : r.top >= window.innerHeight ? 'below' : 'visible';
  }

  private card(e: Entry): HTMLElement {
    const card = entryCard(e, this.asOf, this.language, this.context);
    card.dataset.version = String(e.version);
    this.entryOf.set(card, e);
    return card;
  }

  private insert(card: HTMLElement, entry: Entry): void {
    let section = this.root.querySelector<HTMLElement>(`section.day[data-day="${entry.day}"]`);
    if (!section) {
      section = this.daySection(entry.day, []);
      const next = [...this.root.querySelectorAll<HTMLElement>('section.day')].find((s) =>
        this.order === 'asc' ? s.dataset.day! > entry.day : s.dataset.day! < entry.day,
      );
      this.root.insertBefore(section, next ?? null);
    }
    const cmp = (a: Entry, b: Entry) => (this.order === 'asc' ? compareEntries(a, b) : compareEntries(b, a));
    const next = [...section.querySelectorAll<HTMLElement>('article.card')].find((c) => {
      const shown = this.entryOf.get(c);
      return shown !== undefined && cmp(entry, shown) < 0;
    });
    section.insertBefore(card, next ?? null);
    this.updateDayCount(section);
  }

  private detach(card: HTMLElement): void {
    const section = card.closest<HTMLElement>('section.day');
    card.remove();
    if (!section) return;
    if (section.querySelector('article.card')) this.updateDayCount(section);
    else section.remove();
  }

  private daySection(day: string, cards: HTMLElement[]): HTMLElement {
    const section = h(
      'section',
      { class: 'day', id: `day-${day}`, 'aria-labelledby': `day-${day}-title`, 'data-day': day },
      h(
        'h2',
        { class: 'day-title', id: `day-${day}-title` },
        h('time', { datetime: day }, formatDayHeading(day, dayHeading)),
        h('span', { class: 'day-count' }),
      ),
      ...cards,
    );
    this.updateDayCount(section);
    return section;
  }

  private updateDayCount(section: HTMLElement): void {
    const n = section.querySelectorAll('article.card').length;
    section.querySelector('.day-count')!.textContent = t('list.dayCount', { n });
  }

  private updatePill(): void {
    const n = this.unseen.size;
    this.pill.hidden = n === 0;
    this.pill.textContent = t('list.newEntries', { n });
  }

  /** The pill: scroll to the first unseen entry and focus it. */
  private showUnseen(): void {
    const cards = [...this.unseen].map((id) => document.getElementById(`entry-${id}`)).filter((c): c is HTMLElement => c !== null);
    const first = cards.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0];
    this.unseen.clear();
    this.updatePill();
    if (!first) return;
    first.setAttribute('tabindex', '-1');
    first.scrollIntoView({ block: 'start' });
    first.focus({ preventScroll: true });
  }

  /** New entries the reader has scrolled to no longer count as unseen. */
  private dropSeen(): void {
    if (this.unseen.size === 0) return;
    for (const id of this.unseen) {
      const c = document.getElementById(`entry-${id}`);
      if (!c || c.getBoundingClientRect().bottom > 0) this.unseen.delete(id);
    }
    this.updatePill();
  }
}

/**
 * What the reader had in the old card survives its replacement: an open version history (the same
 * element when the version is unchanged, reopened and re-read when a correction added one) and
 * keyboard focus (the same control, by position). Returns what to run once `card` is in the page.
 */
function carryOver(old: HTMLElement, card: HTMLElement): () => void {
  const focusable = 'a[href], summary, button, [tabindex]';
  const focused = document.activeElement;
  const index = focused instanceof HTMLElement && old.contains(focused) ? [...old.querySelectorAll(focusable)].indexOf(focused) : -2;
  const oldHistory = old.querySelector<HTMLDetailsElement>('details.history');
  const newHistory = card.querySelector<HTMLDetailsElement>('details.history');
  if (oldHistory?.open && newHistory) {
    if (old.dataset.version === card.dataset.version) newHistory.replaceWith(oldHistory);
    else newHistory.open = true;
  }
  // The other disclosures (corroboration, duplicates) stay open too; opening reloads what they list.
  for (const d of old.querySelectorAll<HTMLDetailsElement>('details[data-panel]:not([data-panel="history"])')) {
    const twin = d.open ? card.querySelector<HTMLDetailsElement>(`details[data-panel="${d.dataset.panel}"]`) : null;
    if (twin) twin.open = true;
  }
  if (index === -2) return () => undefined;
  return () => {
    const target = index >= 0 ? card.querySelectorAll<HTMLElement>(focusable)[index] : undefined;
    if (target) target.focus({ preventScroll: true });
    else {
      card.setAttribute('tabindex', '-1');
      card.focus({ preventScroll: true });
    }
  };
}
