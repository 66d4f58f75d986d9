'use strict';
// Entry of `@stella/attest/offline` (see src/offline.ts); the build writes dist/offline.js.
module.exports = require('./dist/offline.js');
