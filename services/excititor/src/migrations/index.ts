import { ExcititorInitial1765200000000 } from './1765200000000-excititor-initial';

/** In order. Append only: a shipped migration is never edited. */
export const excititorMigrations = [ExcititorInitial1765200000000];
