/*
 * The map's arithmetic, without the DOM: TopoJSON country shapes → SVG paths in a Web Mercator
 * plane, entries → points, points → grid clusters, and the view box that fits them. Pure, so the
 * unit spec checks it in Node; entry-map.ts draws the result.
 */

import { t } from './i18n.js';

/** Width (and height) of the projected plane: longitude −180…180 maps to 0…WORLD. */
export const WORLD = 1000;
/** Mercator's poles are at infinity; the plane stops at ±85.05° (the square Web Mercator world). */
const MAX_LAT = 85.0511;

/** A longitude/latitude in degrees → x/y in the {@link WORLD}-wide Mercator plane (y grows southwards). */
export function project(lon: number, lat: number): [number, number] {
  // (Longitudes past ±180° stay past the plane's edges: see countryShapes.)
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  const x = ((lon + 180) / 360) * WORLD;
  const y = WORLD / 2 - (WORLD / (2 * Math.PI)) * Math.log(Math.tan(Math.PI / 4 + phi / 2));
  return [x, y];
}

/** The part of a TopoJSON topology (world-atlas's countries-110m.json) the map reads. */
export interface Topology {
  readonly type: 'Topology';
  readonly transform?: { readonly scale: readonly [number, number]; readonly translate: readonly [number, number] };
  readonly arcs: readonly (readonly (readonly number[])[])[];
  readonly objects: Readonly<Record<string, { readonly type: string; readonly geometries: readonly TopoGeometry[] }>>;
}

interface TopoGeometry {
  readonly type: 'Polygon' | 'MultiPolygon' | null;
  readonly id?: string;
  readonly arcs?: readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];
  readonly properties?: { readonly name?: string };
}

/** One country outline, projected: its SVG path data and its name. */
export interface CountryShape {
  readonly id: string;
  readonly name: string;
  readonly d: string;
}

/** ISO 3166-1 numeric code of Antarctica: left out (in Mercator it would fill the bottom half). */
const ANTARCTICA = '010';

/**
 * Decodes a topology's object into projected country paths (TopoJSON: arcs are delta-encoded
 * quantised positions shared between neighbours; a ring lists arc indexes, `~i` meaning arc `i`
 * reversed). What topojson-client's `feature()` does, in the few lines a map of outlines needs.
 */
export function countryShapes(topology: Topology, object = 'countries'): CountryShape[] {
  const t = topology.transform;
  // Arcs in degrees first: a ring is unwrapped across the antimeridian before it is projected.
  const arcs = topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map((p): [number, number] => {
      if (!t) return [p[0]!, p[1]!];
      x += p[0]!;
      y += p[1]!;
      return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]];
    });
  });
  const ring = (indexes: readonly number[]): [number, number][] => {
    const out: [number, number][] = [];
    for (const i of indexes) {
      const arc = i >= 0 ? arcs[i] : arcs[~i]?.slice().reverse();
      if (!arc) continue;
      out.push(...(out.length ? arc.slice(1) : arc));
    }
    // A ring that crosses ±180° (Chukotka, Fiji) would draw a line across the whole world: its
    // longitudes are kept continuous instead, so the part past the edge lies off the plane.
    let shift = 0;
    return out.map(([lon, lat], k) => {
      const prev = out[k - 1];
      if (prev && Math.abs(lon - prev[0]) > 180) shift += lon > prev[0] ? -360 : 360;
      return project(lon + shift, lat);
    });
  };
  const path = (points: [number, number][]) =>
    points.length < 3 ? '' : `M${points.map(([x, y]) => `${round(x)},${round(y)}`).join('L')}Z`;
  const geometries = topology.objects[object]?.geometries ?? [];
  return geometries
    .filter((g) => g.type && g.arcs && g.id !== ANTARCTICA)
    .map((g) => {
      const polygons = (g.type === 'Polygon' ? [g.arcs] : g.arcs) as readonly (readonly number[])[][];
      const d = polygons.flatMap((rings) => rings.map((r) => path(ring(r)))).join('');
      return { id: g.id ?? '', name: g.properties?.name ?? '', d };
    })
    .filter((c) => c.d !== '');
}

const round = (v: number) => Math.round(v * 10) / 10;

/** ACLED's geoPrecision: 1 a town, 2 part of a region or near a town, 3 a larger region (or a capital standing in for it). */
export type GeoPrecision = 1 | 2 | 3;

/** One place of one entry, on the plane. */
export interface MapPoint {
  readonly entryId: string;
  readonly place: string;
  readonly country: string;
  readonly precision: GeoPrecision;
  readonly x: number;
  readonly y: number;
}

/** The location fields the map needs (the API passes the event's locations through). */
export interface Locatable {
  readonly id: string;
  readonly locations: readonly { name: string; country: string; lat?: number; lon?: number; geoPrecision?: number }[];
}

/**
 * Every located place of every entry (an entry with two places gives two points; the same place
 * twice in one entry gives one). Places without coordinates are counted in `unlocated` instead.
 */
export function mapPoints(entries: readonly Locatable[]): { points: MapPoint[]; unlocated: number } {
  const points: MapPoint[] = [];
  let unlocated = 0;
  for (const e of entries) {
    const seen = new Set<string>();
    let located = false;
    for (const l of e.locations) {
      if (typeof l.lat !== 'number' || typeof l.lon !== 'number' || !Number.isFinite(l.lat) || !Number.isFinite(l.lon)) continue;
      located = true;
      const key = `${l.lat.toFixed(3)},${l.lon.toFixed(3)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const [x, y] = project(l.lon, l.lat);
      const precision = (l.geoPrecision === 1 || l.geoPrecision === 2 || l.geoPrecision === 3 ? l.geoPrecision : 3) as GeoPrecision;
      points.push({ entryId: e.id, place: l.name, country: l.country, precision, x, y });
    }
    if (!located) unlocated++;
  }
  return { points, unlocated };
}

/** A view box on the plane: the area the SVG shows. */
export interface ViewBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Europe to the Urals when nothing is located: a sensible empty map for this story. */
const DEFAULT_VIEW: readonly [number, number, number, number] = [-15, 30, 60, 65];

/**
 * The view box that shows every point with a margin, at the box's aspect ratio (`aspect` =
 * width / height in pixels), never closer than `minWidth` plane units (one place alone is not a
 * street map: the outlines are 1:110 million).
 */
export function fitView(points: readonly { x: number; y: number }[], aspect: number, minWidth = 90): ViewBox {
  let [x0, y0] = project(DEFAULT_VIEW[0], DEFAULT_VIEW[3]);
  let [x1, y1] = project(DEFAULT_VIEW[2], DEFAULT_VIEW[1]);
  if (points.length) {
    x0 = Math.min(...points.map((p) => p.x));
    x1 = Math.max(...points.map((p) => p.x));
    y0 = Math.min(...points.map((p) => p.y));
    y1 = Math.max(...points.map((p) => p.y));
    const pad = Math.max(12, 0.12 * Math.max(x1 - x0, (y1 - y0) * aspect));
    x0 -= pad;
    x1 += pad;
    y0 -= pad / aspect;
    y1 += pad / aspect;
  }
  let width = Math.max(minWidth, x1 - x0);
  let height = Math.max(y1 - y0, width / aspect);
  width = Math.max(width, height * aspect);
  height = width / aspect;
  // Centred on the points, then kept inside the world.
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  width = Math.min(width, WORLD);
  height = Math.min(height, WORLD);
  const x = Math.max(0, Math.min(WORLD - width, cx - width / 2));
  const y = Math.max(0, Math.min(WORLD - height, cy - height / 2));
  return { x, y, width, height };
}

/** A marker: the points of one grid cell, at their mean position. */
export interface MapCluster {
  readonly key: string;
  readonly x: number;
  readonly y: number;
  /** Distinct entries in the cell (an entry with two places here counts once), in first-seen order. */
  readonly entryIds: readonly string[];
  /** Distinct place names in the cell, most entries first. */
  readonly places: readonly string[];
  /** The most precise place in the cell: the marker is drawn at that size. */
  readonly precision: GeoPrecision;
  readonly points: readonly MapPoint[];
}

/**
 * Grid clustering: points whose screen positions (view box scaled to `pixelWidth`) fall in the
 * same `cellPx` square become one marker. Stable for the same input; west to east, then north to
 * south (the keyboard's order through the markers).
 */
export function clusterPoints(points: readonly MapPoint[], view: ViewBox, pixelWidth: number, cellPx = 34): MapCluster[] {
  const unit = view.width / Math.max(1, pixelWidth);
  const cell = cellPx * unit;
  const cells = new Map<string, MapPoint[]>();
  for (const p of points) {
    const key = `${Math.floor((p.x - view.x) / cell)}:${Math.floor((p.y - view.y) / cell)}`;
    const list = cells.get(key);
    if (list) list.push(p);
    else cells.set(key, [p]);
  }
  // Neighbouring cells can put two markers on top of each other: those are merged too, until no
  // two circles overlap (a marker underneath could not be clicked).
  const clusters = [...cells].map(([key, ps]) => cluster(key, ps));
  for (let merged = true; merged;) {
    merged = false;
    outer: for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const a = clusters[i]!;
        const b = clusters[j]!;
        if (Math.hypot(a.x - b.x, a.y - b.y) / unit < markerRadius(a) + markerRadius(b) + 2) {
          clusters[i] = cluster(a.key < b.key ? a.key : b.key, [...a.points, ...b.points]);
          clusters.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return clusters.sort((a, b) => a.x - b.x || a.y - b.y);
}

function cluster(key: string, ps: readonly MapPoint[]): MapCluster {
  const byPlace = new Map<string, Set<string>>();
  for (const p of ps) byPlace.set(p.place, (byPlace.get(p.place) ?? new Set()).add(p.entryId));
  return {
    key,
    x: ps.reduce((s, p) => s + p.x, 0) / ps.length,
    y: ps.reduce((s, p) => s + p.y, 0) / ps.length,
    entryIds: [...new Set(ps.map((p) => p.entryId))],
    places: [...byPlace].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0])).map(([name]) => name),
    precision: Math.min(...ps.map((p) => p.precision)) as GeoPrecision,
    points: ps,
  };
}

/** Marker radius in pixels: a town is a dot, a region a wide circle; more entries, a little larger. */
export function markerRadius(c: Pick<MapCluster, 'precision' | 'entryIds'>): number {
  const base = { 1: 5, 2: 8, 3: 12 }[c.precision];
  return base + Math.min(8, 2.5 * Math.log2(c.entryIds.length));
}

/** "Kyiv", "Kyiv and 2 places nearby": a marker's name. */
export function clusterLabel(c: Pick<MapCluster, 'places' | 'entryIds'>): string {
  const [first, ...rest] = c.places;
  const where = rest.length === 0 ? (first ?? '') : t('map.nearby', { first: first ?? '', n: rest.length });
  return t('map.clusterEntries', { where, n: c.entryIds.length });
}
