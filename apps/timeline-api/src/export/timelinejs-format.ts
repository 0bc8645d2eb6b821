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
  role?: string;
}
interface LocationLike {
  name?: string;
}

/**
 * URLs TimelineJS renders as media: images, video and the embeds it knows. A news article's URL is
 * not media — TimelineJS showed it as a broken image on every slide (issue 15) — so sources are
 * linked in the slide text instead, and `media` is set only for these.
 */
const MEDIA_URL =
  /^https:\/\/(?:[^/?#]+\/[^?#]*\.(?:jpe?g|png|gif|webp|svg)(?:[?#].*)?|(?:www\.)?(?:youtube\.com\/watch\?|youtu\.be\/|vimeo\.com\/\d|(?:twitter|x)\.com\/[^/]+\/status\/\d|commons\.wikimedia\.org\/wiki\/File:).*)$/i;

/** True when TimelineJS can show `url` as media (see {@link MEDIA_URL}). */
export function isMediaUrl(url: string): boolean {
  return MEDIA_URL.test(url);
}

/**
 * A correction note without the label a writer may have put in it ("Correction: the unit was …"):
 * the export adds its own label, so it never reads "Correction: Correction: …" (issue 15).
 */
export function plainNote(note: string | null): string {
  return (note ?? '').replace(/^\s*(?:correction|corrected|retraction|retracted|update)\s*(?:\([^)]*\))?\s*[:\-–—]\s*/i, '');
}

const HEADLINE_CHARS = 140;

/** How a slide names its claim links. */
const RELATION_LABELS: Record<string, string> = {
  denies: 'Denies',
  contradicts: 'Contradicts',
  confirms: 'Confirms',
  respondsTo: 'Responds to',
};

/** TimelineJS renders `text` members as HTML: every value from an event is escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), Math.floor(max * 0.6))).trimEnd()}…`;
}

/**
 * A short headline that does not repeat the text below it (issue 15): what happened and who — "Readiness
 * raised — US Department of Defense" — with the summary as the slide's text.
 */
function headline(e: EntryView): string {
  const actors = e.actors as ActorLike[];
  const who = (actors.find((a) => a.role === 'subject') ?? actors[0])?.name ?? (e.locations as LocationLike[])[0]?.name;
  return shorten(who ? `${e.typeTitle} — ${who}` : e.typeTitle, HEADLINE_CHARS);
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
  // The original first, each translation after it marked with its language and who made it (issue 16).
  const paragraphs = [`<p lang="${escapeHtml(e.language)}">${escapeHtml(e.summary)}</p>`];
  for (const t of e.translations) {
    paragraphs.push(`<p lang="${escapeHtml(t.lang)}"><em>${escapeHtml(t.lang)} (${escapeHtml(t.by)}):</em> ${escapeHtml(t.text)}</p>`);
  }
  if (actors.length) paragraphs.push(`<p><em>Actors:</em> ${escapeHtml(actors.join(', '))}</p>`);
  for (const c of e.corrections) {
    const label = c.change === 'retracted' ? 'Retraction' : c.severity === 'minor' ? 'Correction (minor)' : 'Correction';
    paragraphs.push(`<p><strong>${label}:</strong> ${escapeHtml(plainNote(c.note))}</p>`);
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
  const c = e.corroboration;
  if (c.reports > 1 || c.independentOutlets > 1) {
    paragraphs.push(
      `<p><em>Corroboration:</em> ${c.reports} report${c.reports === 1 ? '' : 's'}, ${c.independentOutlets} independent outlet${c.independentOutlets === 1 ? '' : 's'}${c.outlets.length ? ` (${escapeHtml(c.outlets.join(', '))})` : ''}.</p>`,
    );
  }
  if (e.disputed) paragraphs.push('<p><strong>Disputed:</strong> another entry denies or contradicts this one.</p>');
  for (const r of e.relations.outgoing) {
    // The related entry's own slide has unique_id = its id; its headline is quoted so readers can find it.
    const target = r.summary ? `“${escapeHtml(shorten(r.summary, HEADLINE_CHARS))}”` : 'an entry not in this export yet';
    paragraphs.push(`<p><em>${RELATION_LABELS[r.relation] ?? escapeHtml(r.relation)}:</em> ${target}</p>`);
  }
  const slide: TimelineJsSlide = {
    unique_id: e.id,
    start_date: start,
    display_date: e.displayDate,
    text: { headline: escapeHtml(prefix + headline(e)), text: paragraphs.join('') },
    group: e.typeTitle,
  };
  if (e.occurredUntil) slide.end_date = { ...dateParts(e.occurredUntil, e.occurredAtPrecision, e.occurredTz) };
  const media = sources.find((s) => s.url && isMediaUrl(s.url));
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
