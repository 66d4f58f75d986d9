import { runMigrateCommand } from '@stella/platform';
import { excititorMigrations } from './migrations';

/** `node dist/migrate.js` (or `npm run migrate`): creates the schema and runs pending migrations. */
void runMigrateCommand({ service: 'excititor', migrations: excititorMigrations });
