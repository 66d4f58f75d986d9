#!/usr/bin/env node
'use strict';
// Regenerates the docs that are derived from code (run after `npm run build`).
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { renderEventsDoc } = require('./docs/render-events');

const contracts = require('../libs/contracts/dist');
writeFileSync(join(__dirname, '..', 'docs', 'events.md'), renderEventsDoc(contracts));
process.stdout.write('docs/events.md regenerated\n');
