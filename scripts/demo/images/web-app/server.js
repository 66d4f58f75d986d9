'use strict';
// The demo application: reads its settings with json5, checks a version range with semver and
// posts a multipart form with form-data. Only its installed dependencies matter to the scanner.
const FormData = require('form-data');
const JSON5 = require('json5');
const semver = require('semver');

const settings = JSON5.parse(process.env.APP_SETTINGS || "{ upload: 'http://127.0.0.1:8080/upload' }");
const form = new FormData();
form.append('node', process.version);
form.append('supported', String(semver.satisfies(process.version, '>=18')));
process.stdout.write(`would post ${form.getLengthSync()} bytes to ${settings.upload}\n`);
