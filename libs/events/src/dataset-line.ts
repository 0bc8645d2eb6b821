import type { Clock } from './clock.js';
import { prepareEvent, type PrepareResult } from './prepare-event.js';
import { datasetEventId } from './uuid.js';
import type { ValidationIssue } from './validation.js';

/** A dataset key: a stable, human slug unique within its story, e.g. `2022-01-24/pentagon-alert`. */
export const DATASET_KEY_PATTERN = /^[a-z0-9][a-z0-9._/-]{0,119}$/;

/**
 * One line of an NDJSON dataset: an ingest input (no `recordedAt`) plus an optional `datasetKey`.
 * The eventId must be reproducible so that publishing the file again changes nothing: a line gives a
 * `datasetKey` (eventId = UUIDv5 of storyId + key; when the line also spells the eventId, they must
 * agree) or at least an explicit `eventId`.
 */
export function prepareDatasetLine(line: unknown, opts: { clock: Clock }): PrepareResult {
  if (typeof line !== 'object' || line === null || Array.isArray(line)) return prepareEvent(line, opts);
  const { datasetKey, ...input } = line as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (datasetKey !== undefined) {
    if (typeof datasetKey !== 'string' || !DATASET_KEY_PATTERN.test(datasetKey)) {
      issues.push({ path: '/datasetKey', message: `must match ${DATASET_KEY_PATTERN.source}` });
    } else if (typeof input.storyId === 'string') {
      const expected = datasetEventId(input.storyId, datasetKey);
      if (input.eventId === undefined) input.eventId = expected;
      else if (input.eventId !== expected) {
        issues.push({ path: '/eventId', message: `must be ${expected}, the UUIDv5 of storyId and datasetKey` });
      }
    }
  } else if (input.eventId === undefined || input.eventId === null) {
    issues.push({ path: '/eventId', message: 'is required in a dataset line (or give a datasetKey), so that re-seeding is idempotent' });
  }
  const result = prepareEvent(input, opts);
  if (!result.ok) return { ...result, issues: [...issues, ...result.issues] };
  if (issues.length) return { ok: false, code: 'EVENT.INVALID_ENVELOPE', message: 'the dataset line is invalid', issues };
  return result;
}
