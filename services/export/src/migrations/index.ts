import { ExportInitial1764400000000 } from './1764400000000-export-initial';

/** In order. Append only: a shipped migration is never edited. */
export const exportMigrations = [ExportInitial1764400000000];
