import type { Entry, Stats, TimelinePage } from './timeline-model.js';

/** A problem+json answer from the API, shown to the user as it is (it names the bad parameter). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try {
      const p = (await res.json()) as { detail?: string };
      if (p.detail) detail = p.detail;
    } catch {
      /* not problem+json */
    }
    throw new ApiProblem(res.status, detail);
  }
  return (await res.json()) as T;
}

/** The dashboard's reads: the same public `/v1` API every other client uses. */
export const timelineApi = {
  timeline: (params: URLSearchParams, signal?: AbortSignal) => getJson<TimelinePage>(`/v1/timeline?${params}`, signal),
  stats: (params: URLSearchParams, signal?: AbortSignal) => getJson<Stats>(`/v1/stats?${params}`, signal),
  entry: (id: string, asOf?: string) =>
    getJson<{
      entry: Entry;
      history: { version: number; change: string; severity: string | null; note: string | null; recordedFrom: string; entry: Entry }[];
    }>(`/v1/entries/${encodeURIComponent(id)}${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`),
  exportUrl: (format: 'timelinejs' | 'csv' | 'ndjson', params: URLSearchParams) => {
    const p = new URLSearchParams(params);
    p.set('format', format);
    return `/v1/export?${p}`;
  },
  streamUrl: (params: URLSearchParams, lastEventId: string | null) => {
    const p = new URLSearchParams(params);
    if (lastEventId) p.set('lastEventId', lastEventId);
    return `/v1/stream?${p}`;
  },
};
