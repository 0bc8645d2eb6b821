import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { HelmetOptions } from 'helmet';

/** `apps/timeline-api`: this file runs from `src/` (tests) or `dist/` (built), one level below. */
const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Static HTML/CSS/SVG of the dashboard (served as they are). */
export const DASHBOARD_PUBLIC_DIR = path.join(APP_ROOT, 'public');
/** The dashboard's browser modules, compiled by `tsc -b` from `apps/timeline-api/dashboard`. */
export const DASHBOARD_SCRIPT_DIR = path.join(APP_ROOT, 'dist', 'dashboard');

/**
 * Country outlines of the dashboard's map: Natural Earth 1:110m as TopoJSON from the `world-atlas`
 * package (a production dependency), served from this origin — the map needs no tile server and
 * no internet, and the CSP's `connect-src 'self'` holds.
 */
export const MAP_SHAPES_FILE = createRequire(import.meta.url).resolve('world-atlas/countries-110m.json');

/**
 * Content-Security-Policy of the whole API: only this origin (and, for the editor mode, ingest's), no inline script or style (the
 * dashboard has none), framing only by `embedOrigins` (EMBED_ORIGINS; none by default). The JSON
 * endpoints are unaffected; a browser enforces it on the dashboard, where an injected script from
 * event text would otherwise be the main risk.
 */
export function dashboardHelmet(embedOrigins: readonly string[] = [], ingestPublicUrl?: string): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Swagger UI's page (/docs) carries inline <style> blocks; it alone may use them.
        styleSrc: ["'self'", (req) => (/^\/docs(\/|$|\?)/.test((req as { url?: string }).url ?? '') ? "'unsafe-inline'" : '')],
        imgSrc: ["'self'", 'data:'],
        // The editor mode posts merges and splits to ingest (INGEST_PUBLIC_URL), and only there.
        connectSrc: ["'self'", ...(ingestPublicUrl ? [ingestPublicUrl] : [])],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: embedOrigins.length > 0 ? [...embedOrigins] : ["'none'"],
      },
    },
    // X-Frame-Options knows no list of origins; with frame-ancestors set, browsers ignore it anyway,
    // and its SAMEORIGIN would only break the configured embeds in older ones.
    ...(embedOrigins.length > 0 ? { xFrameOptions: false } : {}),
    // The dashboard links out to source articles; send only the origin.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  };
}

/** What the dashboard learns from {@link DASHBOARD_CONFIG_PATH}: where its editor mode posts (null: no editor mode). */
export interface DashboardClientConfig {
  readonly ingestUrl: string | null;
}

/** The dashboard's settings, read by the page at start (not part of the `/v1` API). */
export const DASHBOARD_CONFIG_PATH = '/assets/dashboard-config.json';

/**
 * Serves the dashboard at `/` (HTML, CSS, icons), its compiled scripts under `/assets/js/`, the
 * map's outlines at `/assets/map/countries-110m.json` and its settings at {@link DASHBOARD_CONFIG_PATH}
 * (the API tells the browser where ingest is; it never talks to Kafka itself).
 */
export function serveDashboard(app: NestExpressApplication, client: DashboardClientConfig = { ingestUrl: null }): void {
  // Only the one file the map draws (the package also holds 10m outlines: 3.6 MB nobody asked for).
  const express = app.getHttpAdapter().getInstance() as {
    get: (route: string, handler: (req: unknown, res: { sendFile: (file: string, opts: object) => void }) => void) => void;
  };
  const settings = JSON.stringify(client);
  express.get(DASHBOARD_CONFIG_PATH, (_req, res) => {
    const r = res as unknown as { set: (h: Record<string, string>) => { send: (b: string) => void } };
    r.set({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' }).send(settings);
  });
  express.get('/assets/map/countries-110m.json', (_req, res) =>
    res.sendFile(MAP_SHAPES_FILE, { maxAge: '1d', headers: { 'Content-Type': 'application/json' } }),
  );
  app.useStaticAssets(DASHBOARD_SCRIPT_DIR, { prefix: '/assets/js/', index: false, fallthrough: true, maxAge: '5m' });
  app.useStaticAssets(DASHBOARD_PUBLIC_DIR, { index: 'index.html', fallthrough: true, maxAge: '5m' });
}
