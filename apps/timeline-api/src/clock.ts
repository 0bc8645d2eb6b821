/** Injected source of "now" (tests control time; nothing here reads the system clock directly). */
export class Clock {
  now(): Date {
    return new Date();
  }
}
