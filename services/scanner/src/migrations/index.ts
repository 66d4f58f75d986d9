import { ScannerInitial1765300000000 } from './1765300000000-scanner-initial';

/** In order. Append only: a shipped migration is never edited. */
export const scannerMigrations = [ScannerInitial1765300000000];
