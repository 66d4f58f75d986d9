import { randomUUID } from 'node:crypto';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface IdGenerator {
  uuid(): string;
}
export const randomIds: IdGenerator = { uuid: () => randomUUID() };

export const SCANNER_CLOCK = Symbol('SCANNER_CLOCK');
export const SCANNER_IDS = Symbol('SCANNER_IDS');
export const SCANNER_SBOM_STORE = Symbol('SCANNER_SBOM_STORE');
export const SCANNER_REGISTRY = Symbol('SCANNER_REGISTRY');
export const SCANNER_ENGINE = Symbol('SCANNER_ENGINE');

/** Never rename: clients are granted these by name (the authority's scope catalogue lists them). */
export const SCAN_WRITE_SCOPE = 'scan:write';
export const SCAN_READ_SCOPE = 'scan:read';
