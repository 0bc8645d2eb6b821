import { exportFilename } from '../export.controller.js';
import { parseExportQuery } from '../query/timeline-filter.js';

describe('exportFilename', () => {
  const stamp = '20261201-101010';
  it('names the filters, the window and asOf (issue 15: every file was timeline-<time>)', () => {
    const q = parseExportQuery({
      type: 'readiness.raised',
      actor: 'us-dod',
      country: 'ua',
      from: '2022-01-24',
      to: '2022-02-01',
      asOf: '2022-01-25T00:00:00Z',
    });
    expect(exportFilename(q.filter, stamp, 'csv')).toBe(
      'timeline-readiness.raised-us-dod-UA-2022-01-24_2022-02-01-asof-20220125T000000-20261201-101010.csv',
    );
    expect(exportFilename(parseExportQuery({}).filter, stamp, 'ndjson')).toBe('timeline-20261201-101010.ndjson');
  });

  it('keeps only file-name-safe characters and a bounded length', () => {
    const q = parseExportQuery({ q: 'Песков "заявил" / «нет»', location: 'Kyiv' });
    const name = exportFilename(q.filter, stamp, 'json');
    expect(name).toMatch(/^timeline-[A-Za-z0-9._-]+-20261201-101010\.json$/);
    const long = parseExportQuery({ tag: Array.from({ length: 30 }, (_, i) => `tag-number-${i}`).join(',') });
    expect(exportFilename(long.filter, stamp, 'csv').length).toBeLessThanOrEqual(130);
  });
});
