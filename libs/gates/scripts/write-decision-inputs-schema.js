#!/usr/bin/env node
// Regenerates docs/schemas/decision-inputs.v1.json from the zod schema in libs/gates (build first:
// npx tsc -b libs/gates). A unit test fails when the two differ.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const prettier = require('prettier');
const { decisionInputsV1JsonSchema } = require('../dist');

async function main() {
  const target = join(__dirname, '..', '..', '..', 'docs', 'schemas', 'decision-inputs.v1.json');
  const options = (await prettier.resolveConfig(target)) ?? {};
  writeFileSync(target, await prettier.format(JSON.stringify(decisionInputsV1JsonSchema()), { ...options, parser: 'json' }));
  console.log(`wrote ${target}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
