import { SignerInitial1764100000000 } from './1764100000000-signer-initial';

/** In order. Append only: a shipped migration is never edited. */
export const signerMigrations = [SignerInitial1764100000000];
