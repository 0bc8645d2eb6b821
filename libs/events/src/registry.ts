import { EventCatalogue } from './catalogue.js';
import type { EventEnvelope } from './envelope.js';
import type { PayloadOf } from './event-type.js';
import { CONCERN_EXPRESSED } from './types/concern-expressed.event.js';
import { CYBER_INCIDENT } from './types/cyber-incident.event.js';
import { DENIAL_ISSUED } from './types/denial-issued.event.js';
import { DEPLOYMENT_ANNOUNCED } from './types/deployment-announced.event.js';
import { DEPLOYMENT_CONSIDERED } from './types/deployment-considered.event.js';
import { DIPLOMAT_EXPELLED } from './types/diplomat-expelled.event.js';
import { EMERGENCY_DECLARED } from './types/emergency-declared.event.js';
import { ENTRY_CORRECTED } from './types/entry-corrected.event.js';
import { ENTRY_MERGED } from './types/entry-merged.event.js';
import { ENTRY_RELATED } from './types/entry-related.event.js';
import { ENTRY_RETRACTED } from './types/entry-retracted.event.js';
import { ENTRY_SPLIT } from './types/entry-split.event.js';
import { MILITARY_ACTION } from './types/military-action.event.js';
import { NEGOTIATIONS_UPDATED } from './types/negotiations-updated.event.js';
import { READINESS_RAISED } from './types/readiness-raised.event.js';
import { RECOGNITION_DECLARED } from './types/recognition-declared.event.js';
import { SANCTIONS_ANNOUNCED } from './types/sanctions-announced.event.js';
import { STATEMENT_ISSUED } from './types/statement-issued.event.js';
import { TALKS_HELD } from './types/talks-held.event.js';
import { TROOPS_MOVED } from './types/troops-moved.event.js';

/** Every event type, in catalogue order (domain events first, then the meta events). */
export const EVENT_TYPES = [
  READINESS_RAISED,
  DEPLOYMENT_ANNOUNCED,
  DEPLOYMENT_CONSIDERED,
  DENIAL_ISSUED,
  CONCERN_EXPRESSED,
  STATEMENT_ISSUED,
  TALKS_HELD,
  NEGOTIATIONS_UPDATED,
  TROOPS_MOVED,
  SANCTIONS_ANNOUNCED,
  EMERGENCY_DECLARED,
  DIPLOMAT_EXPELLED,
  RECOGNITION_DECLARED,
  CYBER_INCIDENT,
  MILITARY_ACTION,
  ENTRY_CORRECTED,
  ENTRY_RETRACTED,
  ENTRY_MERGED,
  ENTRY_SPLIT,
  ENTRY_RELATED,
] as const;

/** Union of the stored `type` strings. */
export type EventType = (typeof EVENT_TYPES)[number]['type'];

/** Discriminated union of all current-version events. */
export type TimelineEvent = {
  [D in (typeof EVENT_TYPES)[number] as D['type']]: EventEnvelope<D['type'], PayloadOf<D>>;
}[EventType];

/** The shared catalogue instance (schemas compiled once per process). */
export const eventCatalogue = new EventCatalogue(EVENT_TYPES);
