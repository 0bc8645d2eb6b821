import { readFileSync } from 'node:fs';
import { NameRegistry, nameRegistry } from './name-registry.js';
import { alternativesOf, parseSearch } from './search-query.js';
import { transliterations } from './transliteration.js';

const texts = (word: string) => alternativesOf(word, nameRegistry()).map((a) => a.text);

describe('the alias registry (data/datasets/name-aliases.json)', () => {
  const registry = nameRegistry();

  it('puts every spelling of a name in one group, whatever the script', () => {
    for (const [a, b] of [
      ['Kiev', 'Kyiv'],
      ['Київ', 'Киев'],
      ['Zelensky', 'Zelenskyy'],
      ['Зеленський', 'Зеленский'],
      ['Peskov', 'Песков'],
    ]) {
      expect(registry.groupOf(a!)?.id).toBeDefined();
      expect(registry.groupOf(a!)?.id).toBe(registry.groupOf(b!)?.id);
    }
  });

  it('reads a Cyrillic name with a case ending as the name (Пескова, Зеленського), a possessive as the name', () => {
    expect(registry.groupOf('Пескова')?.id).toBe('dmitry-peskov');
    expect(registry.groupOf('Зеленського')?.id).toBe('volodymyr-zelensky');
    expect(registry.groupOf("Zelensky's")?.id).toBe('volodymyr-zelensky');
    expect(registry.groupOf('troops')).toBeUndefined();
  });

  it('maps any name or id of an actor group to its actor ids (the actor filter)', () => {
    expect(registry.actorIdsOf('Зеленський')).toEqual(['volodymyr-zelensky']);
    expect(registry.actorIdsOf('dmitry-peskov')).toEqual(['dmitry-peskov']);
    expect(registry.actorIdsOf('Kyiv')).toEqual([]);
  });

  it('names only actor ids the dataset has, and no name in two groups', () => {
    const dataset = readFileSync(new URL('../../../../data/datasets/russia-ukraine-2022.ndjson', import.meta.url), 'utf8');
    const ids = new Set([...dataset.matchAll(/"id":"([a-z0-9.-]+)","name"/g)].map((m) => m[1]));
    const seen = new Map<string, string>();
    for (const g of registry.groups) {
      for (const a of g.actorIds ?? []) expect(ids.has(a) ? a : `${g.id}: unknown actor ${a}`).toBe(a);
      for (const n of g.names) {
        const k = n.toLowerCase();
        expect(seen.get(k) ?? g.id).toBe(g.id);
        seen.set(k, g.id);
      }
    }
  });
});

describe('transliterations (names not in the registry)', () => {
  it.each([
    ['Блінкен', 'blinken'],
    ['Рябков', 'ryabkov'],
    ['Кулеба', 'kuleba'],
    ['Kuleba', 'кулеба'],
    ['Peskov', 'песков'],
    ['Zelensky', 'зеленский'],
  ])('%s → %s among the candidates', (word, expected) => {
    expect(transliterations(word)).toContain(expected);
  });
});

describe('parseSearch', () => {
  const registry = new NameRegistry([{ id: 'kyiv', kind: 'place', names: ['Kyiv', 'Kiev', 'Київ', 'Киев'] }]);

  it('expands a registry word to its group, Cyrillic names also as prefixes', () => {
    const term = parseSearch('Kiev', registry).groups[0]![0]!;
    if (term.kind !== 'word') throw new Error('expected a word');
    expect(term.alternatives.map((a) => a.text)).toEqual(['Kiev', 'Kyiv', 'Київ', 'Киев']);
    expect(term.alternatives.filter((a) => a.prefix).map((a) => a.text)).toEqual(['Київ', 'Киев']);
  });

  it('drops thousands separators like the indexed text, keeps web-search syntax', () => {
    const q = parseSearch('"8,500 troops" Kiev or Kyiv -Moscow 8,500', registry);
    expect(q.groups.map((g) => g.map((t) => (t.kind === 'phrase' ? `"${t.text}"` : `${t.negated ? '-' : ''}${t.word}`)))).toEqual([
      ['"8500 troops"'],
      ['Kiev', 'Kyiv'],
      ['-Moscow'],
      ['8500'],
    ]);
  });

  it('transliterates words the registry does not know; numbers stay as they are', () => {
    expect(texts('Кулеба')).toEqual(expect.arrayContaining(['Кулеба', 'kuleba']));
    expect(texts('8500')).toEqual(['8500']);
    expect(parseSearch('?!', registry).groups).toEqual([]);
  });
});
