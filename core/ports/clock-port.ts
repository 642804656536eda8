/**
 * The only way the core learns the time, so tests can pin it and no decision depends on the
 * machine's wall clock directly.
 */
export interface Clock {
  now(): Date;
}
