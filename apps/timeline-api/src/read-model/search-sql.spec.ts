import { NameRegistry } from '../search/name-registry.js';
import { parseSearch } from '../search/search-query.js';
import { searchTsquery } from './search-sql.js';
import { SqlParams } from './sql-params.js';

const registry = new NameRegistry([{ id: 'kyiv', kind: 'place', names: ['Kyiv', 'Kiev', 'Київ', 'Киев'] }]);

const sqlOf = (q: string) => {
  const p = new SqlParams();
  return { sql: searchTsquery(parseSearch(q, registry), p, 'timeline') ?? '', values: p.values };
};

describe('searchTsquery (the SQL of q)', () => {
  it('tries a Cyrillic word in Russian and Ukrainian (Hunspell) and unstemmed, with bind parameters only', () => {
    const { sql, values } = sqlOf('військами');
    expect(sql).toContain(`plainto_tsquery("timeline".search_config('uk'), $1)`);
    expect(sql).toContain(`plainto_tsquery('russian'::regconfig, $1)`);
    expect(sql).toContain(`plainto_tsquery('simple'::regconfig, $1)`);
    expect(values[0]).toBe('військами');
    expect(sql).not.toContain('військами');
  });

  it('keeps a Latin-only query off the Hunspell dictionary (transliterated guesses are tried in Russian only)', () => {
    const { sql, values } = sqlOf('pontoon bridges');
    expect(sql).not.toContain('search_config');
    expect(values).toEqual(expect.arrayContaining(['pontoon', 'понтоон']));
    expect(sql).toContain(`plainto_tsquery('english'::regconfig, $1)`);
  });

  it('ANDs the words, ORs an alias group with prefixes for its Cyrillic names, matches nothing for no word', () => {
    const { sql, values } = sqlOf('Kiev troops');
    expect(sql.split(') && (')).toHaveLength(2);
    expect(values).toEqual(expect.arrayContaining(['Kyiv', 'Київ', "'київ':*", "'киев':*"]));
    expect(sqlOf('?!').sql).toBe('');
  });
});
