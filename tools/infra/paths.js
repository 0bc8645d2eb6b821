// @ts-check
/** Filesystem locations shared by the local infrastructure launcher. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (two levels above this file). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Runtime state: broker logs and storage, Postgres data folder. Git-ignored. */
export const DATA_DIR = process.env.TIMELINE_DATA_DIR ?? path.join(ROOT, '.data');
/** Downloaded artefacts (Kafka jars). Git-ignored, safe to delete. */
export const CACHE_DIR = process.env.TIMELINE_CACHE_DIR ?? path.join(ROOT, '.cache');
