import { ConcelierInitial1765100000000 } from './1765100000000-concelier-initial';

/** In order. Append only: a shipped migration is never edited. */
export const concelierMigrations = [ConcelierInitial1765100000000];
