import { runMigrateCommand } from '@stella/platform';
import { authorityMigrations } from './migrations';

/** `node dist/migrate.js` (or `npm run migrate`): creates the schema and runs pending migrations. */
void runMigrateCommand({ service: 'authority', migrations: authorityMigrations });
