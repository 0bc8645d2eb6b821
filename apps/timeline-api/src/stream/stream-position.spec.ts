import { SignedTokenCodec } from '../query/signed-token.codec.js';
import { SqlParams } from '../read-model/sql-params.js';
import { StreamPositionCodec, advanceTo, after, changeRanges, type StreamPosition } from './stream-position.js';

const codec = new StreamPositionCodec(new SignedTokenCodec(Buffer.alloc(32, 1)));
const E = '6f1c2a0e-0000-4000-8000-000000000001';

describe('stream positions', () => {
  it('round-trip through the signed token, partition by partition', () => {
    const pos: StreamPosition = new Map([
      [2, { offset: '9007199254740993' }],
      [0, { offset: '41', after: { entryId: E, version: 2 } }],
    ]);
    expect(codec.decode(codec.encode(pos), 'Last-Event-ID')).toEqual(pos);
  });

  it('refuses tokens that were not issued here (also cursors, signed for another purpose)', () => {
    const tokens = new SignedTokenCodec(Buffer.alloc(32, 1));
    const cursorLike = tokens.encode('timeline-cursor', { v: 1, p: [] });
    expect(() => codec.decode(cursorLike, 'Last-Event-ID')).toThrow(expect.objectContaining({ code: 'QUERY.INVALID_PARAMETER' }));
    expect(() => codec.decode('nope', 'lastEventId')).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ path: 'lastEventId' })] }),
    );
  });

  it('advance to a high-water mark only forward, and close a half-seen offset', () => {
    const pos: StreamPosition = new Map([
      [0, { offset: '10', after: { entryId: E, version: 1 } }],
      [1, { offset: '50' }],
    ]);
    const next = advanceTo(
      pos,
      new Map([
        [0, '10'],
        [1, '40'],
        [2, '7'],
      ]),
    );
    expect(next).toEqual(
      new Map([
        [0, { offset: '10' }],
        [1, { offset: '50' }],
        [2, { offset: '7' }],
      ]),
    );
    expect(after(next, { partition: 2, offset: '8', entryId: E, version: 1 }).get(2)).toEqual({
      offset: '8',
      after: { entryId: E, version: 1 },
    });
  });

  it('select rows after the position and up to the high-water mark, one index range per partition, all bound', () => {
    const p = new SqlParams();
    const ranges = changeRanges(
      new Map([[0, { offset: '10', after: { entryId: E, version: 1 } }]]),
      new Map([
        [0, '12'],
        [1, '3'],
      ]),
      p,
    );
    expect(ranges).toEqual([
      'v.source_partition = $1::int AND v.source_offset >= $2::bigint AND (v.source_offset, v.entry_id, v.version) > ($2::bigint, $3::uuid, $4::int) AND v.source_offset <= $5::bigint',
      'v.source_partition = $6::int AND v.source_offset <= $7::bigint',
    ]);
    expect(p.values).toEqual([0, '10', E, 1, '12', 1, '3']);
  });

  it('without a high-water mark, read partitions the position has never seen from their start', () => {
    const p = new SqlParams();
    expect(changeRanges(new Map([[3, { offset: '5' }]]), undefined, p)).toEqual([
      'v.source_partition = $1::int AND v.source_offset > $2::bigint',
      'NOT (v.source_partition = ANY($3::int[]))',
    ]);
    expect(p.values).toEqual([3, '5', [3]]);
  });
});
