import { PartitionParking } from './partition-parking.js';

describe('PartitionParking', () => {
  const bad = { firstOffset: '120', lastOffset: '124', cause: 'BAD_CRC' as const, detail: 'CRC-32C mismatch' };

  it('parks a partition with the command that moves past its bad batch', () => {
    const parking = new PartitionParking();
    const p = parking.park('timeline.events', 2, bad, new Date('2026-12-01T10:00:00Z'));
    expect(p).toMatchObject({ topic: 'timeline.events', partition: 2, firstOffset: '120', since: '2026-12-01T10:00:00.000Z' });
    expect(p.remedy).toBe(
      'npm run cli -- skip --topic timeline.events --partition 2 --to-offset 125 --reason "<why this batch may be skipped>"',
    );
    expect(parking.isParked('timeline.events', 2)).toBe(true);
    expect(parking.isParked('timeline.events', 1)).toBe(false);
  });

  it('releases only once the stored offset is past the bad batch, and forgets partitions it lost', () => {
    const parking = new PartitionParking();
    parking.park('t', 2, bad);
    expect(parking.releaseIfPast('t', 2, '120')).toBeUndefined();
    expect(parking.releaseIfPast('t', 2, undefined)).toBeUndefined();
    expect(parking.releaseIfPast('t', 2, '125')).toMatchObject({ partition: 2 });
    expect(parking.list()).toEqual([]);
    parking.park('t', 3, bad);
    parking.retain('t', [0, 1]);
    expect(parking.list()).toEqual([]);
  });
});
