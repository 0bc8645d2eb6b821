/** The event catalogue (filled in by the event-catalogue issue). */
export const CATALOGUE_VERSION = 1;
