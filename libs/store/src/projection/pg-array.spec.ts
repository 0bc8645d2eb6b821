import { pgTextArrayLiteral } from './pg-array.js';

describe('pgTextArrayLiteral', () => {
  it('quotes every element and escapes quotes and backslashes', () => {
    expect(pgTextArrayLiteral([])).toBe('{}');
    expect(pgTextArrayLiteral(['a', 'b c'])).toBe('{"a","b c"}');
    expect(pgTextArrayLiteral(['say "hi"', 'back\\slash', '{,}', 'NULL'])).toBe('{"say \\"hi\\"","back\\\\slash","{,}","NULL"}');
  });
});
