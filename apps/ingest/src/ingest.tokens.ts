/** Injection token of the {@link Clock} that stamps `recordedAt` (tests may provide a fixed one). */
export const CLOCK = Symbol.for('timeline.Clock');
