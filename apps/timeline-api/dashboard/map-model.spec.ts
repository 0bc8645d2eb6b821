import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  WORLD,
  clusterLabel,
  clusterPoints,
  countryShapes,
  fitView,
  mapPoints,
  markerRadius,
  project,
  type Topology,
} from './map-model.js';

const kyiv = { name: 'Kyiv', country: 'UA', lat: 50.4501, lon: 30.5234, geoPrecision: 1 };
const rada = { name: 'Verkhovna Rada, Kyiv', country: 'UA', lat: 50.4473, lon: 30.5368, geoPrecision: 1 };
const donbas = { name: 'Donbas', country: 'UA', lat: 48.3, lon: 38.6, geoPrecision: 3 };
const washington = { name: 'White House, Washington', country: 'US', lat: 38.8977, lon: -77.0365, geoPrecision: 1 };

describe('map projection', () => {
  it('puts the equator and the prime meridian in the middle, west left and north up', () => {
    expect(project(0, 0)).toEqual([WORLD / 2, WORLD / 2]);
    const [kx, ky] = project(kyiv.lon, kyiv.lat);
    const [wx, wy] = project(washington.lon, washington.lat);
    expect(wx).toBeLessThan(kx);
    expect(ky).toBeLessThan(wy);
    // Mercator stops at ±85.05°: the poles stay on the plane.
    expect(project(0, 90)[1]).toBeCloseTo(0, 0);
    expect(project(0, -90)[1]).toBeCloseTo(WORLD, 0);
  });
});

describe('countryShapes (TopoJSON → SVG paths)', () => {
  it('decodes delta-encoded arcs, reversed arcs (~i) and multipolygons', () => {
    // Two squares sharing the arc between them; the right one walks it backwards.
    const topology: Topology = {
      type: 'Topology',
      transform: { scale: [1, 1], translate: [0, 0] },
      arcs: [
        [
          [10, 0],
          [0, 10],
        ],
        [
          [10, 10],
          [-10, 0],
          [0, -10],
          [10, 0],
        ],
        [
          [10, 0],
          [10, 0],
          [0, 10],
          [-10, 0],
        ],
      ],
      objects: {
        countries: {
          type: 'GeometryCollection',
          geometries: [
            { type: 'Polygon', id: '001', arcs: [[0, 1]], properties: { name: 'West' } },
            { type: 'MultiPolygon', id: '002', arcs: [[[2, -1]]], properties: { name: 'East' } },
            { type: 'Polygon', id: '010', arcs: [[0, 1]], properties: { name: 'Antarctica' } },
            { type: null },
          ],
        },
      },
    };
    const shapes = countryShapes(topology);
    expect(shapes.map((s) => s.name)).toEqual(['West', 'East']);
    const pt = (lon: number, lat: number) =>
      project(lon, lat)
        .map((v) => Math.round(v * 10) / 10)
        .join(',');
    expect(shapes[0]!.d).toBe(`M${[pt(10, 0), pt(10, 10), pt(0, 10), pt(0, 0), pt(10, 0)].join('L')}Z`);
    // East: its own arc, then the shared one reversed (10,10 → 10,0), without the joint twice.
    expect(shapes[1]!.d).toBe(`M${[pt(10, 0), pt(20, 0), pt(20, 10), pt(10, 10), pt(10, 0)].join('L')}Z`);
  });

  it('keeps a ring that crosses the antimeridian continuous instead of drawing it across the world', () => {
    const topology: Topology = {
      type: 'Topology',
      arcs: [
        [
          [170, 60],
          [-170, 60],
          [-170, 70],
          [170, 70],
          [170, 60],
        ],
      ],
      objects: { countries: { type: 'GeometryCollection', geometries: [{ type: 'Polygon', id: '643', arcs: [[0]] }] } },
    };
    const xs = [...countryShapes(topology)[0]!.d.matchAll(/[ML]([\d.-]+),/g)].map((m) => Number(m[1]));
    // 170° → 190° (past the plane's edge), never back to −170° on the far left.
    expect(Math.min(...xs)).toBeCloseTo(project(170, 0)[0], 0);
    expect(Math.max(...xs)).toBeCloseTo(project(190, 0)[0], 0);
  });

  it('reads world-atlas’s 1:110m countries: every country but Antarctica, as closed paths', () => {
    const file = createRequire(import.meta.url).resolve('world-atlas/countries-110m.json');
    const shapes = countryShapes(JSON.parse(readFileSync(file, 'utf8')) as Topology);
    expect(shapes.length).toBe(176);
    expect(shapes.find((s) => s.name === 'Ukraine')?.d).toMatch(/^M[\d.,L]+Z/);
    expect(shapes.some((s) => s.name === 'Antarctica')).toBe(false);
  });
});

describe('map points, view and clusters', () => {
  const entries = [
    { id: 'a', locations: [kyiv, { ...kyiv }] },
    { id: 'b', locations: [rada, donbas] },
    { id: 'c', locations: [washington] },
    { id: 'd', locations: [{ name: 'Nowhere in particular', country: 'UA' }] },
  ];

  it('one point per located place of each entry; places without coordinates counted apart', () => {
    const { points, unlocated } = mapPoints(entries);
    expect(points.map((p) => `${p.entryId}:${p.place}:${p.precision}`)).toEqual([
      'a:Kyiv:1',
      'b:Verkhovna Rada, Kyiv:1',
      'b:Donbas:3',
      'c:White House, Washington:1',
    ]);
    expect(unlocated).toBe(1);
  });

  it('fits every point in view at the box’s aspect ratio, with a margin, inside the world', () => {
    const { points } = mapPoints(entries);
    const view = fitView(points, 2);
    expect(view.width / view.height).toBeCloseTo(2, 5);
    for (const p of points) {
      expect(p.x).toBeGreaterThan(view.x);
      expect(p.x).toBeLessThan(view.x + view.width);
      expect(p.y).toBeGreaterThan(view.y);
      expect(p.y).toBeLessThan(view.y + view.height);
    }
    expect(view.x).toBeGreaterThanOrEqual(0);
    expect(view.x + view.width).toBeLessThanOrEqual(WORLD);
    // One place alone is not zoomed to a street: at least the minimum width.
    expect(fitView(mapPoints([entries[0]!]).points, 2).width).toBeGreaterThanOrEqual(90);
    // Nothing located: a default view, not NaN.
    expect(Number.isFinite(fitView([], 2).width)).toBe(true);
  });

  it('clusters places that fall in one screen cell, counting each entry once; zoomed in, they part', () => {
    const { points } = mapPoints(entries);
    const wide = fitView(points, 2);
    const clusters = clusterPoints(points, wide, 600);
    const kyivCluster = clusters.find((c) => c.places.includes('Kyiv'))!;
    expect(kyivCluster.entryIds).toEqual(['a', 'b']);
    expect(kyivCluster.precision).toBe(1);
    expect(clusterLabel(kyivCluster)).toBe('Kyiv and 1 place nearby: 2 entries');
    // West to east: Washington first (the keyboard's order).
    expect(clusters[0]!.places).toEqual(['White House, Washington']);
    expect(clusters.reduce((n, c) => n + c.points.length, 0)).toBe(points.length);
    // Zoomed in on Kyiv, the Rada and the city centre (≈1 km apart) still share a cell; Donbas does not.
    const close = clusterPoints(points, fitView(points.slice(0, 3), 2), 600);
    expect(close.find((c) => c.places.includes('Donbas'))!.entryIds).toEqual(['b']);
  });

  it('never leaves two markers overlapping (a marker underneath could not be clicked)', () => {
    const ring = Array.from({ length: 40 }, (_, i) => ({
      id: `e${i}`,
      locations: [{ name: `P${i}`, country: 'UA', lat: 48 + (i % 7) * 0.9, lon: 24 + Math.floor(i / 7) * 1.7, geoPrecision: 1 + (i % 3) }],
    }));
    const { points } = mapPoints(ring);
    const view = fitView(points, 1.2);
    const clusters = clusterPoints(points, view, 340);
    const unit = view.width / 340;
    for (const [i, a] of clusters.entries()) {
      for (const b of clusters.slice(i + 1)) {
        expect(Math.hypot(a.x - b.x, a.y - b.y) / unit).toBeGreaterThanOrEqual(markerRadius(a) + markerRadius(b));
      }
    }
    expect(clusters.reduce((n, c) => n + c.entryIds.length, 0)).toBe(40);
  });

  it('sizes a marker by its precision (a region wider than a town), a little more for more entries', () => {
    expect(markerRadius({ precision: 1, entryIds: ['a'] })).toBeLessThan(markerRadius({ precision: 2, entryIds: ['a'] }));
    expect(markerRadius({ precision: 2, entryIds: ['a'] })).toBeLessThan(markerRadius({ precision: 3, entryIds: ['a'] }));
    expect(markerRadius({ precision: 1, entryIds: ['a', 'b', 'c', 'd'] })).toBeGreaterThan(markerRadius({ precision: 1, entryIds: ['a'] }));
    expect(clusterLabel({ places: ['Donbas'], entryIds: ['b'] })).toBe('Donbas: 1 entry');
  });
});
