import { runMigrateCommand } from '@stella/platform';
import { policyMigrations } from './migrations';

/** `node dist/migrate.js` (or `npm run migrate`): creates the schema and runs pending migrations. */
void runMigrateCommand({ service: 'policy', migrations: policyMigrations });
