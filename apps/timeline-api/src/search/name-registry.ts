import { readFileSync } from 'node:fs';

/** One group of the alias registry: every spelling of one actor or place. */
export interface NameGroup {
  readonly id: string;
  readonly kind: 'actor' | 'place';
  /** Actor ids of the dataset this group stands for (the actor filter). */
  readonly actorIds?: readonly string[];
  readonly names: readonly string[];
}

/** Where the registry ships: beside the dataset it describes. */
export const NAME_REGISTRY_FILE = new URL('../../../../data/datasets/name-aliases.json', import.meta.url);

/** Case endings a name takes in Ukrainian and Russian (Пескова, Зеленського), longest first. */
const ENDINGS = ['ого', 'ому', 'ові', 'ою', 'ої', 'ом', 'ем', 'им', 'ім', 'ій', 'ая', 'ой', 'ей', 'у', 'а', 'і', 'и', 'е', 'ю', 'я', 'ы'];

/** Lower case, ё as е, apostrophes and a possessive 's dropped: the form names are compared in. */
export function nameKey(word: string): string {
  return word
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/['’ʼ`]s$/, '')
    .replace(/['’ʼ`]/g, '');
}

/**
 * The alias registry of issue 16 (`data/datasets/name-aliases.json`): Kyiv / Kiev / Київ / Киев,
 * Zelenskyy / Zelensky / Зеленський / Зеленский, Peskov / Песков … Search expands a word found here
 * to all names of its group; the actor filter maps any name or id of a group to its actor ids.
 */
export class NameRegistry {
  private readonly byName = new Map<string, NameGroup>();
  private readonly byActorId = new Map<string, NameGroup>();

  constructor(readonly groups: readonly NameGroup[]) {
    for (const g of groups) {
      for (const n of [g.id, ...g.names]) this.byName.set(nameKey(n), g);
      for (const a of g.actorIds ?? []) this.byActorId.set(a, g);
    }
  }

  /** Reads the shipped registry file. */
  static load(file: URL | string = NAME_REGISTRY_FILE): NameRegistry {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { groups: NameGroup[] };
    return new NameRegistry(doc.groups);
  }

  /** The group a word names, exactly or as a Cyrillic name with a case ending (Пескова → Песков). */
  groupOf(word: string): NameGroup | undefined {
    const k = nameKey(word);
    const exact = this.byName.get(k);
    if (exact || !/[\u0400-\u04ff]/.test(k)) return exact;
    for (const e of ENDINGS) {
      if (k.length > e.length + 2 && k.endsWith(e)) {
        const g = this.byName.get(k.slice(0, -e.length));
        if (g) return g;
      }
    }
    return undefined;
  }

  /** Actor ids a filter value stands for: a group's ids when it is one of its names or ids, else none. */
  actorIdsOf(value: string): readonly string[] {
    const g = this.byActorId.get(value) ?? this.groupOf(value);
    return g?.actorIds ?? [];
  }
}

let shared: NameRegistry | undefined;

/** The shipped registry, read once per process. */
export function nameRegistry(): NameRegistry {
  shared ??= NameRegistry.load();
  return shared;
}
