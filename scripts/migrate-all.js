#!/usr/bin/env node
'use strict';
// `npm run migrate`: runs every service's migrations (services/<name>/dist/migrate.js) against
// STELLA_DATABASE_URL, each into its own schema. Build first (`npm run build`).
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const servicesDir = join(__dirname, '..', 'services');
const env = { STELLA_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', ...process.env };
let failed = 0;
for (const name of readdirSync(servicesDir).sort()) {
  const entry = join(servicesDir, name, 'dist', 'migrate.js');
  if (!existsSync(entry)) continue;
  // STELLA_DATABASE_SCHEMA is per service: never pass one schema to every service.
  const childEnv = { ...env };
  delete childEnv.STELLA_DATABASE_SCHEMA;
  const result = spawnSync(process.execPath, [entry], { stdio: 'inherit', env: childEnv });
  if (result.status !== 0) {
    process.stderr.write(`migrate: ${name} failed (exit ${result.status})\n`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
