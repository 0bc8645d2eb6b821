import { normalizeNumbers } from '@timeline/store';
import { nameKey, type NameRegistry } from './name-registry.js';
import { transliterations } from './transliteration.js';

/** One way a query word may appear: as written, as another name of its alias group, transliterated. */
export interface Alternative {
  readonly text: string;
  /**
   * Also match stored words that start with it (`'песков':*`): a Cyrillic name from the registry,
   * so "Песков" finds "Пескова" although the Russian stemmer makes `песк` of one and `песков` of the other.
   */
  readonly prefix: boolean;
  /** Made by transliteration (a guess): tried unstemmed and in Russian only, never with the Hunspell dictionary. */
  readonly transliterated: boolean;
}

/** A search term: any alternative of a word, or an exact phrase (no expansion inside quotes). */
export type SearchTerm =
  | { readonly kind: 'word'; readonly word: string; readonly alternatives: readonly Alternative[]; readonly negated: boolean }
  | { readonly kind: 'phrase'; readonly text: string; readonly negated: boolean };

/**
 * A parsed `q`: web-search syntax as before (`"exact phrase"`, `or`, `-exclude`), as AND of OR
 * groups (`a b or c` = a AND (b OR c), as `websearch_to_tsquery`). Every term is matched in every
 * language of an entry (English, Russian, Ukrainian and unstemmed), so a query needs no language.
 */
export interface SearchQuery {
  readonly groups: readonly (readonly SearchTerm[])[];
}

/** Words of one query at most; beyond it the rest is ignored (bounds the SQL). */
export const MAX_SEARCH_TERMS = 8;

const TOKEN = /-?"[^"]*"?|\S+/g;
const WORD_CHARS = /[^\p{L}\p{N}'’ʼ-]+/gu;

/** Parses `q` (numbers lose their thousands separators, as the indexed text does). */
export function parseSearch(q: string, registry: NameRegistry): SearchQuery {
  const groups: SearchTerm[][] = [];
  let orNext = false;
  let terms = 0;
  for (const raw of normalizeNumbers(q).match(TOKEN) ?? []) {
    if (terms >= MAX_SEARCH_TERMS) break;
    if (raw.toLowerCase() === 'or') {
      orNext = groups.length > 0;
      continue;
    }
    const negated = raw.startsWith('-') && raw.length > 1;
    const body = negated ? raw.slice(1) : raw;
    let term: SearchTerm | undefined;
    if (body.startsWith('"')) {
      const text = body.replace(/"/g, '').trim();
      if (text) term = { kind: 'phrase', text, negated };
    } else {
      const word = body
        .replace(WORD_CHARS, ' ')
        .trim()
        .replace(/^[-'’ʼ]+|[-'’ʼ]+$/g, '');
      if (word) term = { kind: 'word', word, alternatives: alternativesOf(word, registry), negated };
    }
    if (!term) continue;
    terms += 1;
    if (orNext) groups[groups.length - 1]!.push(term);
    else groups.push([term]);
    orNext = false;
  }
  return { groups };
}

/** The word, the names of its alias group, or (not in the registry) its transliterations. */
export function alternativesOf(word: string, registry: NameRegistry): Alternative[] {
  const group = word.includes(' ') ? undefined : registry.groupOf(word);
  const guesses = group || word.length < 3 ? [] : transliterations(word);
  const texts = group ? [word, ...group.names] : [word, ...guesses];
  const seen = new Set<string>();
  const out: Alternative[] = [];
  for (const t of texts) {
    const k = nameKey(t);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ text: t, prefix: Boolean(group) && /^[\u0400-\u04ff]{4,}$/.test(k), transliterated: guesses.includes(t) });
  }
  return out;
}
