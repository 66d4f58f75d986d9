#!/usr/bin/env node
'use strict';
// Regenerates the docs that are derived from code (`npm run docs` builds first).
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { renderEventsDoc } = require('./docs/render-events');
const { renderConfigurationDoc } = require('./docs/render-configuration');

const docs = join(__dirname, '..', 'docs');
writeFileSync(join(docs, 'events.md'), renderEventsDoc(require('../libs/contracts/dist')));
const fromDist = (tsFile) => require(tsFile.replace(/\/src\//, '/dist/').replace(/\.ts$/, '.js'));
writeFileSync(
  join(docs, 'configuration.md'),
  renderConfigurationDoc(require('../libs/config/dist'), fromDist),
);
process.stdout.write('docs/events.md and docs/configuration.md regenerated\n');
