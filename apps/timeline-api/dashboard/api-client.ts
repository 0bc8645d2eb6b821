import type { components, paths } from './api-types.gen.js';

/*
 * Every type here comes from `api-types.gen.ts`, generated from the API's OpenAPI document
 * (`npm run openapi:types`): a field or parameter the API renames or drops fails the dashboard's
 * type check instead of breaking the page in a browser (issue 18).
 */

type GetOperation<P extends keyof paths> = paths[P] extends { get: infer O } ? O : never;
/** The query parameters of `GET path` as the OpenAPI document declares them. */
export type QueryOf<P extends keyof paths> = NonNullable<GetOperation<P> extends { parameters: { query?: infer Q } } ? Q : never>;
/** The JSON body of `GET path`'s 200 answer. */
export type ResponseOf<P extends keyof paths> =
  GetOperation<P> extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;
/** The name of a query parameter of `GET path`. */
export type ParamOf<P extends keyof paths> = keyof QueryOf<P> & string;

/** A filter the page sends to the list, the chart, the exports and the live stream: a parameter of each. */
export type FilterParam = ParamOf<'/v1/timeline'> & ParamOf<'/v1/stats'> & ParamOf<'/v1/export'> & ParamOf<'/v1/stream'>;
/** `asOf`: the list, the chart and the exports take it (the live stream is always "now"). */
export type AsOfParam = 'asOf' & ParamOf<'/v1/timeline'> & ParamOf<'/v1/stats'> & ParamOf<'/v1/export'>;
/** `order`: the list and the exports take it. */
export type OrderParam = 'order' & ParamOf<'/v1/timeline'> & ParamOf<'/v1/export'>;

export type ApiSchemas = components['schemas'];

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

/** What a refused request's problem+json says (`detail`), else its status line. */
export async function problemDetail(res: Response): Promise<string> {
  try {
    const p = (await res.json()) as { detail?: string };
    if (p.detail) return p.detail;
  } catch {
    /* not problem+json */
  }
  return `${res.status} ${res.statusText}`;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!res.ok) throw new ApiProblem(res.status, await problemDetail(res));
  return (await res.json()) as T;
}

/** The dashboard's reads: the same public `/v1` API every other client uses. */
export const timelineApi = {
  timeline: (params: URLSearchParams, signal?: AbortSignal) => getJson<ResponseOf<'/v1/timeline'>>(`/v1/timeline?${params}`, signal),
  stats: (params: URLSearchParams, signal?: AbortSignal) => getJson<ResponseOf<'/v1/stats'>>(`/v1/stats?${params}`, signal),
  entry: (id: string, asOf?: string) =>
    getJson<ResponseOf<'/v1/entries/{id}'>>(`/v1/entries/${encodeURIComponent(id)}${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`),
  /**
   * Likely duplicates of one entry, best first (issue 14); the editor mode merges from them. Below a
   * match of 0.4 the API's proposals are mostly other events of the same day: not worth an editor's look.
   */
  candidates: (id: string, limit = 5, minScore = 0.4) =>
    getJson<ResponseOf<'/v1/entries/{id}/candidates'>>(
      `/v1/entries/${encodeURIComponent(id)}/candidates?limit=${limit}&minScore=${minScore}`,
    ),
  exportUrl: (format: NonNullable<QueryOf<'/v1/export'>['format']>, params: URLSearchParams) => {
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
