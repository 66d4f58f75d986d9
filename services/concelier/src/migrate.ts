import { runMigrateCommand } from '@stella/platform';
import { concelierMigrations } from './migrations';

/** `node dist/migrate.js` (or `npm run migrate`): creates the schema and runs pending migrations. */
void runMigrateCommand({ service: 'concelier', migrations: concelierMigrations });
