/**
 * Transliteration for names the alias registry does not know (issue 16): a Cyrillic word gets its
 * Latin spellings (Ukrainian national system of 2010 or a BGN-like Russian one), a Latin word its
 * likely Russian and Ukrainian spellings. Approximate by nature — candidates to OR into a search,
 * never a rewrite of stored text.
 */

// prettier-ignore
const UK_TO_LATIN: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i',
  й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh',
  ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia', "'": '', '’': '', ʼ: '',
};
/** Word-initial forms of the Ukrainian system (Єнакієве → Yenakiieve). */
const UK_INITIAL: Record<string, string> = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };

// prettier-ignore
const RU_TO_LATIN: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'yo', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l',
  м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh',
  щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

/** Longest first: `shch` before `sh`. */
// prettier-ignore
const LATIN_TO_RU: [string, string][] = [
  ['shch', 'щ'], ['sch', 'щ'], ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['ch', 'ч'], ['sh', 'ш'], ['yu', 'ю'], ['ya', 'я'],
  ['yo', 'ё'], ['ye', 'е'], ['iy', 'ий'], ['a', 'а'], ['b', 'б'], ['v', 'в'], ['w', 'в'], ['g', 'г'], ['h', 'х'], ['d', 'д'],
  ['e', 'е'], ['z', 'з'], ['i', 'и'], ['j', 'й'], ['y', 'ы'], ['k', 'к'], ['c', 'к'], ['q', 'к'], ['l', 'л'], ['m', 'м'],
  ['n', 'н'], ['o', 'о'], ['p', 'п'], ['r', 'р'], ['s', 'с'], ['t', 'т'], ['u', 'у'], ['f', 'ф'], ['x', 'кс'],
];
// prettier-ignore
const LATIN_TO_UK: [string, string][] = [
  ['shch', 'щ'], ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['ch', 'ч'], ['sh', 'ш'], ['yu', 'ю'], ['ya', 'я'], ['ye', 'є'],
  ['yi', 'ї'], ['iu', 'ю'], ['ia', 'я'], ['ie', 'є'], ['a', 'а'], ['b', 'б'], ['v', 'в'], ['w', 'в'], ['g', 'г'], ['h', 'г'],
  ['d', 'д'], ['e', 'е'], ['z', 'з'], ['i', 'і'], ['j', 'й'], ['y', 'и'], ['k', 'к'], ['c', 'к'], ['q', 'к'], ['l', 'л'],
  ['m', 'м'], ['n', 'н'], ['o', 'о'], ['p', 'п'], ['r', 'р'], ['s', 'с'], ['t', 'т'], ['u', 'у'], ['f', 'ф'], ['x', 'кс'],
];

const CYRILLIC = /[\u0400-\u04ff]/;
const LATIN_WORD = /^[a-z]+$/;

/** The other-script spellings of one word (lower case, distinct, the word itself excluded). */
export function transliterations(word: string): string[] {
  const w = word.toLowerCase();
  const out = new Set<string>();
  if (CYRILLIC.test(w)) {
    out.add(cyrillicToLatin(w, UK_TO_LATIN, UK_INITIAL));
    out.add(cyrillicToLatin(w, RU_TO_LATIN, {}));
  } else if (LATIN_WORD.test(w)) {
    // y after a vowel is й (Nikolay), a final y after a consonant the adjective ending (Zelensky → Зеленский).
    const ru = w.replace(/([aeiou])y/g, '$1j').replace(/([^aeiouj])y$/, '$1iy');
    out.add(latinToCyrillic(ru, LATIN_TO_RU));
    const uk = w.replace(/([aeiou])y/g, '$1j').replace(/([^aeiouj])yy?$/, '$1yj');
    out.add(latinToCyrillic(uk, LATIN_TO_UK));
  }
  out.delete(w);
  out.delete('');
  return [...out];
}

function cyrillicToLatin(w: string, table: Record<string, string>, initial: Record<string, string>): string {
  let out = '';
  [...w].forEach((ch, i) => {
    out += (i === 0 ? initial[ch] : undefined) ?? table[ch] ?? (CYRILLIC.test(ch) ? '' : ch);
  });
  return out;
}

function latinToCyrillic(w: string, table: [string, string][]): string {
  let out = '';
  for (let i = 0; i < w.length;) {
    const hit = table.find(([lat]) => w.startsWith(lat, i));
    if (!hit) {
      out += w[i];
      i += 1;
    } else {
      out += hit[1];
      i += hit[0].length;
    }
  }
  return out;
}
