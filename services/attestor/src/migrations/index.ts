import { AttestorInitial1764200000000 } from './1764200000000-attestor-initial';

/** In order. Append only: a shipped migration is never edited. */
export const attestorMigrations = [AttestorInitial1764200000000];
