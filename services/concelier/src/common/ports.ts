import { randomUUID } from 'node:crypto';
import type { Clock } from '@stella/auth';

export const CONCELIER_CLOCK = Symbol.for('stella.concelier.clock');
export const CONCELIER_IDS = Symbol.for('stella.concelier.ids');

export interface IdGenerator {
  newId(): string;
}

export const randomIds: IdGenerator = { newId: () => randomUUID() };
export type { Clock };
