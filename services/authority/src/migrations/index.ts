import { AuthorityInitial1764000000000 } from './1764000000000-authority-initial';
import { AuthorityOutbox1764000000001 } from './1764000000001-authority-outbox';

/** In order. Append only: a shipped migration is never edited. */
export const authorityMigrations = [AuthorityInitial1764000000000, AuthorityOutbox1764000000001];
