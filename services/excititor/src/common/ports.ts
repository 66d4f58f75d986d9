import type { Clock } from '@stella/auth';

export const EXCITITOR_CLOCK = Symbol.for('stella.excititor.clock');
export type { Clock };
