#!/usr/bin/env node
// Regenerates docs/schemas/decision-record.predicate.v1.json from the zod schema in
// libs/attest (build first: npx tsc -b libs/attest). A unit test fails when the two differ.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const prettier = require('prettier');
const { decisionRecordV1JsonSchema } = require('../dist');

async function main() {
  const target = join(__dirname, '..', '..', '..', 'docs', 'schemas', 'decision-record.predicate.v1.json');
  const options = (await prettier.resolveConfig(target)) ?? {};
  const text = await prettier.format(JSON.stringify(decisionRecordV1JsonSchema()), {
    ...options,
    parser: 'json',
  });
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
