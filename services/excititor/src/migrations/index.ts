import { ExcititorInitial1765200000000 } from './1765200000000-excititor-initial';
import { ExcititorIssuerRegistry1766600000000 } from './1766600000000-excititor-issuer-registry';

/** In order. Append only: a shipped migration is never edited. */
export const excititorMigrations = [ExcititorInitial1765200000000, ExcititorIssuerRegistry1766600000000];
