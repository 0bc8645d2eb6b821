import { randomBytes } from 'node:crypto';

/** A unique, SQL- and Kafka-safe name for one test's topic, group or schema (`prefix_ab12cd34`). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}
