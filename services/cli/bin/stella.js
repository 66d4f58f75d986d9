#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled TypeScript in ../dist (run `npm run build` first).
let main;
try {
  ({ main } = require('../dist/main.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('stella: the CLI is not built yet; run `npm run build` in the repository root.\n');
    process.exit(2);
  }
  throw error;
}
main(process.argv).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`stella: ${error && error.message ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
