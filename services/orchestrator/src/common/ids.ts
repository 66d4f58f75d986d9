import { UuidV7Generator } from '@stella/contracts';
import type { Clock } from './clock';

/** Ids of new records: time-ordered UUIDv7, so btree inserts stay at the right edge. */
export interface IdGenerator {
  next(): string;
}

export function uuidV7Ids(clock: Clock): IdGenerator {
  const generator = new UuidV7Generator(() => clock.now().getTime());
  return { next: () => generator.next() };
}
