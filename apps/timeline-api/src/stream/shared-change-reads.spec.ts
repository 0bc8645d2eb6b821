import { parseStreamQuery, type TimelineFilter } from '../query/timeline-filter.js';
import { SharedChangeReads, type ChangeSource } from './shared-change-reads.js';
import type { StreamPosition } from './stream-position.js';

/** The stream's default filter (what `GET /v1/stream` without parameters parses to), with `over` applied. */
const filter = (over: Partial<TimelineFilter> = {}): TimelineFilter => ({ ...parseStreamQuery({}).filter, ...over });
const at = (offset: string): StreamPosition => new Map([[0, { offset }]]);

/** A source whose reads stay open until the test releases them, counting every read. */
function gatedSource() {
  const pending: (() => void)[] = [];
  let reads = 0;
  const source: ChangeSource = {
    changes: () => {
      reads++;
      return new Promise((resolve) => pending.push(() => resolve({ rows: [], highWater: new Map([[0, String(reads)]]) })));
    },
  };
  return { source, reads: () => reads, release: () => pending.splice(0).forEach((r) => r()) };
}

describe('SharedChangeReads (one read per filter and position)', () => {
  it('1,000 sessions asking the same question at once cost one read, and all get its answer', async () => {
    const g = gatedSource();
    const shared = new SharedChangeReads(g.source);
    const answers = Array.from({ length: 1000 }, () => shared.changes(at('5'), filter({ types: ['statement.issued'] }), 200));
    expect(g.reads()).toBe(1);
    g.release();
    const results = await Promise.all(answers);
    expect(new Set(results).size).toBe(1);
    expect(shared.counts).toEqual({ queries: 1, shared: 999 });
  });

  it('another filter, another position or another limit is its own read', async () => {
    const g = gatedSource();
    const shared = new SharedChangeReads(g.source);
    const asks = [
      shared.changes(at('5'), filter(), 200),
      shared.changes(at('5'), filter({ stories: ['s1'] }), 200),
      shared.changes(at('6'), filter(), 200),
      shared.changes(new Map([[0, { offset: '5', after: { entryId: 'e', version: 1 } }]]), filter(), 200),
      shared.changes(at('5'), filter(), 10),
      shared.changes(at('5'), filter(), 200),
    ];
    expect(g.reads()).toBe(5);
    g.release();
    await Promise.all(asks);
  });

  it('keeps nothing after the answer: the next question is a fresh read', async () => {
    const g = gatedSource();
    const shared = new SharedChangeReads(g.source);
    const first = shared.changes(at('5'), filter(), 200);
    g.release();
    const a = await first;
    const second = shared.changes(at('5'), filter(), 200);
    g.release();
    const b = await second;
    expect(g.reads()).toBe(2);
    expect(a).not.toBe(b);
  });

  it('a failed read fails every session that shared it, and the next question reads again', async () => {
    let calls = 0;
    const shared = new SharedChangeReads({
      changes: () => (++calls === 1 ? Promise.reject(new Error('db down')) : Promise.resolve({ rows: [] })),
    });
    const asks = [shared.changes(at('1'), filter(), 200), shared.changes(at('1'), filter(), 200)];
    await expect(Promise.all(asks)).rejects.toThrow('db down');
    await expect(shared.changes(at('1'), filter(), 200)).resolves.toEqual({ rows: [] });
    expect(calls).toBe(2);
  });
});
