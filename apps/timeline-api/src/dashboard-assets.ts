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
 * Content-Security-Policy of the whole API: only this origin, no inline script or style (the
 * dashboard has none), framing only by `embedOrigins` (EMBED_ORIGINS; none by default). The JSON
 * endpoints are unaffected; a browser enforces it on the dashboard, where an injected script from
 * event text would otherwise be the main risk.
 */
export function dashboardHelmet(embedOrigins: readonly string[] = []): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Swagger UI's page (/docs) carries inline <style> blocks; it alone may use them.
        styleSrc: ["'self'", (req) => (/^\/docs(\/|$|\?)/.test((req as { url?: string }).url ?? '') ? "'unsafe-inline'" : '')],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
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

/** Serves the dashboard at `/` (HTML, CSS, icons) and its compiled scripts under `/assets/js/`. */
export function serveDashboard(app: NestExpressApplication): void {
  app.useStaticAssets(DASHBOARD_SCRIPT_DIR, { prefix: '/assets/js/', index: false, fallthrough: true, maxAge: '5m' });
  app.useStaticAssets(DASHBOARD_PUBLIC_DIR, { index: 'index.html', fallthrough: true, maxAge: '5m' });
}
