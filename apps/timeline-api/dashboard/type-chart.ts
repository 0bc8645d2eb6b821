import { h, s } from './dom.js';
import { TYPE_STYLES, typeLabel, typeStyle } from './entry-types.js';
import { formatAxisDay, formatDayHeading, t } from './i18n.js';
import { dayHeading, daysBetween, type Stats } from './timeline-model.js';

const MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HEIGHT = 180;
const heading = (day: string) => formatDayHeading(day, dayHeading);
const PAD = { top: 12, right: 12, bottom: 28, left: 32 };

/** A "nice" axis maximum and step for `max` (1, 2, 5 × 10ⁿ). */
function niceScale(max: number): { top: number; step: number } {
  // Small counts keep a 0–4 scale, so a single entry is a short bar rather than a full-height one.
  if (max <= 4) return { top: 4, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw) ?? raw;
  return { top: Math.ceil(max / step) * step, step };
}

/**
 * Per-day stacked bars of entries by type, hand-drawn in SVG (no chart library, no inline
 * styles). Each bar has a title for pointer users; the figure has a text summary for screen
 * readers; activating a bar calls `onDay` (the dashboard scrolls to that day).
 */
export function typeChart(stats: Stats, onDay: (day: string) => void, width = 960): HTMLElement {
  // Drawn at the box's own width, so text and bars are not stretched (issue 15: squashed labels and
  // 1 px bars on a phone, where the dashboard asks for weekly buckets instead).
  const WIDTH = Math.max(280, Math.round(width));
  const weekly = stats.bucket === 'week';
  if (stats.buckets.length === 0) {
    return h('p', { class: 'chart-empty' }, t('chart.empty'));
  }
  const first = stats.buckets[0]!.start;
  const last = stats.buckets[stats.buckets.length - 1]!.start;
  const days = daysBetween(first, last).filter((_, i) => !weekly || i % 7 === 0);
  const byDay = new Map(stats.buckets.map((b) => [b.start, b]));
  const max = Math.max(...stats.buckets.map((b) => b.total));
  const { top, step } = niceScale(max);
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / days.length;
  const barW = Math.max(1, Math.min(22, slot * 0.72));
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const typeOrder = Object.keys(TYPE_STYLES).filter((type) => stats.totalsByType[type]);
  for (const type of Object.keys(stats.totalsByType)) if (!typeOrder.includes(type)) typeOrder.push(type);

  const svg = s('svg', {
    class: 'chart-svg',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    // A group, not an image: its bars are buttons, and an image's children are presentational
    // (axe nested-interactive, issue 15).
    role: 'group',
    'aria-labelledby': 'chart-title chart-desc',
    preserveAspectRatio: 'none',
  });
  svg.append(
    s('title', { id: 'chart-title' }, t(weekly ? 'chart.titleWeekly' : 'chart.title')),
    s('desc', { id: 'chart-desc' }, t('chart.desc', { total: stats.total, first: heading(first), last: heading(last), max })),
  );
  for (let v = 0; v <= top; v += step) {
    svg.append(
      s('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v) }),
      s('text', { class: 'axis-label', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.max(3, Math.floor(innerW / 70))));
  days.forEach((day, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const bucket = byDay.get(day);
    if (bucket) {
      const g = s('g', {
        class: 'bar',
        tabindex: 0,
        role: 'button',
        'aria-label': t(weekly ? 'chart.barWeekly' : 'chart.bar', { day: heading(day), total: bucket.total }),
      });
      g.append(
        s(
          'title',
          {},
          `${t('chart.barTitle', { day: weekly ? t('chart.weekOf', { day: heading(day) }) : heading(day), n: bucket.total })}\n${Object.entries(
            bucket.byType,
          )
            .map(([type, n]) => `${typeLabel(type)}: ${n}`)
            .join('\n')}`,
        ),
      );
      let acc = 0;
      for (const type of typeOrder) {
        const n = bucket.byType[type];
        if (!n) continue;
        const rect = s('rect', { x, y: y(acc + n), width: barW, height: Math.max(0.5, y(acc) - y(acc + n)), 'data-type': type });
        // CSSOM, not a style attribute: allowed under the page's CSP (style-src 'self').
        rect.style.fill = typeStyle(type).colour;
        g.append(rect);
        acc += n;
      }
      g.addEventListener('click', () => onDay(day));
      g.addEventListener('keydown', (ev) => {
        if ((ev as KeyboardEvent).key === 'Enter' || (ev as KeyboardEvent).key === ' ') {
          ev.preventDefault();
          onDay(day);
        }
      });
      svg.append(g);
    }
    if (i % labelEvery === 0) {
      const [, m, d] = day.split('-');
      svg.append(
        s(
          'text',
          { class: 'axis-label', x: PAD.left + i * slot + slot / 2, y: HEIGHT - 8, 'text-anchor': 'middle' },
          formatAxisDay(day, () => `${Number(d)} ${MONTH_ABBR[Number(m) - 1]}`),
        ),
      );
    }
  });
  svg.append(s('line', { class: 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0) }));

  const legend = h(
    'ul',
    { class: 'legend', 'aria-label': t('chart.legend') },
    ...typeOrder.map((type) => {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = typeStyle(type).colour;
      return h('li', { 'data-type': type }, swatch, `${typeLabel(type)} (${stats.totalsByType[type]})`);
    }),
  );
  return h('figure', { class: 'chart' }, svg, legend);
}
