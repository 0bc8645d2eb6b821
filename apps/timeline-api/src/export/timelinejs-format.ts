import { dateParts, type DateParts } from '../presentation/display-date.js';
import type { EntryView } from '../presentation/entry-view.js';

/** A TimelineJS date: `year` required, further fields only as precise as known (no zone field exists). */
export interface TimelineJsDate extends Partial<DateParts> {
  year: number;
  display_date?: string;
}

/** A TimelineJS slide (Knight Lab's documented JSON). */
export interface TimelineJsSlide {
  unique_id: string;
  start_date: TimelineJsDate;
  end_date?: TimelineJsDate;
  display_date?: string;
  text: { headline: string; text: string };
  group?: string;
  media?: { url: string; caption?: string; credit?: string; link?: string };
}

interface SourceLike {
  role?: string;
  outlet?: string;
  url?: string;
  title?: string;
}
interface ActorLike {
  name?: string;
}

const HEADLINE_CHARS = 140;

/** TimelineJS renders `text` members as HTML: every value from an event is escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function headline(summary: string): string {
  if (summary.length <= HEADLINE_CHARS) return summary;
  const cut = summary.slice(0, HEADLINE_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 80)).trimEnd()}…`;
}

/** The top-level TimelineJS document's members before `events` (written first when streaming). */
export function timelineJsHead(title: string, description: string): string {
  const head = { title: { text: { headline: escapeHtml(title), text: `<p>${escapeHtml(description)}</p>` } }, scale: 'human' };
  return JSON.stringify(head).slice(0, -1);
}

/** One entry as a TimelineJS slide: dates in the entry's reported zone, cut to its precision. */
export function timelineJsSlide(e: EntryView): TimelineJsSlide {
  const start: TimelineJsDate = { ...dateParts(e.occurredAt, e.occurredAtPrecision, e.occurredTz) };
  const sources = e.sources as SourceLike[];
  const actors = (e.actors as ActorLike[]).map((a) => a.name).filter(Boolean) as string[];
  const prefix = e.status === 'retracted' ? 'Retracted: ' : '';
  const paragraphs = [`<p>${escapeHtml(e.summary)}</p>`];
  if (actors.length) paragraphs.push(`<p><em>Actors:</em> ${escapeHtml(actors.join(', '))}</p>`);
  for (const c of e.corrections) {
    const label = c.change === 'retracted' ? 'Retraction' : c.severity === 'minor' ? 'Correction (minor)' : 'Correction';
    paragraphs.push(`<p><strong>${label}:</strong> ${escapeHtml(c.note ?? '')}</p>`);
  }
  if (sources.length) {
    const items = sources
      .filter((s) => s.url)
      .map(
        (s) =>
          `<li><a href="${escapeHtml(s.url as string)}">${escapeHtml(s.title ?? s.outlet ?? (s.url as string))}</a>${s.outlet ? ` (${escapeHtml(s.outlet)})` : ''}</li>`,
      );
    if (items.length) paragraphs.push(`<ul>${items.join('')}</ul>`);
  }
  if (e.confirmation === 'reported') paragraphs.push('<p><em>Reported, not independently confirmed.</em></p>');
  const slide: TimelineJsSlide = {
    unique_id: e.id,
    start_date: start,
    display_date: e.displayDate,
    text: { headline: escapeHtml(prefix + headline(e.summary)), text: paragraphs.join('') },
    group: e.typeTitle,
  };
  if (e.occurredUntil) slide.end_date = { ...dateParts(e.occurredUntil, e.occurredAtPrecision, e.occurredTz) };
  const media = sources.find((s) => s.role === 'primary' && s.url) ?? sources.find((s) => s.url);
  if (media?.url) {
    slide.media = {
      url: media.url,
      link: media.url,
      ...(media.title || media.outlet ? { caption: media.title ?? media.outlet } : {}),
      ...(media.outlet ? { credit: media.outlet } : {}),
    };
  }
  return slide;
}
