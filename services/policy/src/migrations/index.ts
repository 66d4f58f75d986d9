import { PolicyInitial1765400000000 } from './1765400000000-policy-initial';

/** In order. Append only: a shipped migration is never edited. */
export const policyMigrations = [PolicyInitial1765400000000];
