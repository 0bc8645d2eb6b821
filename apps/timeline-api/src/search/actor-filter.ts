import type { NameRegistry } from './name-registry.js';
import { transliterations } from './transliteration.js';

const SLUG = /^[a-z0-9][a-z0-9._-]{0,79}$/;
/** A person's or body's name as typed: letters (any script), digits, spaces, dots, hyphens, apostrophes. */
export const ACTOR_NAME = /^[\p{L}][\p{L}\p{M}\p{N} .'’ʼ-]{0,99}$/u;

/** What an `actor` filter value stands for. */
export interface ResolvedActors {
  /** Actor ids matched exactly (GIN-indexed). */
  readonly ids: string[];
  /** Slugs of names the registry does not know (transliterated), matched as an id or an id's last part (`kuleba` → `dmytro-kuleba`). */
  readonly nameParts: string[];
}

/**
 * Issue 16: the actor filter takes ids as before, or any name of an alias-registry group
 * ("Зеленський", "Zelensky" → `volodymyr-zelensky`); a name the registry does not know is
 * transliterated and matched against the last part of actor ids.
 */
export function resolveActors(values: readonly string[], registry: NameRegistry): ResolvedActors {
  const ids = new Set<string>();
  const parts = new Set<string>();
  for (const v of values) {
    const known = [v, ...v.split(/\s+/).reverse()].map((x) => registry.actorIdsOf(x)).find((x) => x.length > 0);
    if (known) for (const id of known) ids.add(id);
    if (SLUG.test(v)) ids.add(v);
    else if (!known) {
      const last = v.trim().split(/\s+/).pop()!;
      for (const t of [last, ...transliterations(last)]) {
        const slug = t
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '');
        if (slug) parts.add(slug);
      }
    }
  }
  return { ids: [...ids].sort(), nameParts: [...parts].sort() };
}
