// @ts-check
/**
 * The development signing key for cursors and stream resume tokens (API_CURSOR_SECRET): random,
 * made once per data directory and kept there (mode 0600), so local cursors survive restarts of
 * `npm start` and are shared by every app process it runs — but, unlike a key derived from the
 * development DATABASE_URL (whose password is in this repository), nobody can compute it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from './paths.js';

/** The secret of `dataDir` (made on first use). @param {string} [dataDir] @returns {string} */
export function devCursorSecret(dataDir = DATA_DIR) {
  const file = path.join(dataDir, 'cursor-secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    /* first use */
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
