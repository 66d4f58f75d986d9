import { runMigrateCommand } from '@stella/platform';
import { exportMigrations } from './migrations';

/** `node dist/migrate.js` (or `npm run migrate`): creates the schema and runs pending migrations. */
void runMigrateCommand({ service: 'export', migrations: exportMigrations });
