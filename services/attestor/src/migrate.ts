import { runMigrateCommand } from '@stella/platform';
import { attestorMigrations } from './migrations';

/** `node dist/migrate.js` (or `npm run migrate`): creates the schema and runs pending migrations. */
void runMigrateCommand({ service: 'attestor', migrations: attestorMigrations });
