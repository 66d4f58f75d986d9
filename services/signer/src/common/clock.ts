/** The only way signer code learns the time: tests and replays inject their own. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const SIGNER_CLOCK = Symbol.for('stella.signer.clock');
