// docs/schemas/policy-*.json are generated from the zod schemas the engine validates with.
// Regenerate after a schema change: UPDATE_SCHEMAS=1 npx jest --selectProjects unit -- libs/policy-engine/src/json-schema
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyDocumentJsonSchema, policyInputJsonSchema, policyVerdictJsonSchema } from './json-schema';

const docs = join(__dirname, '..', '..', '..', 'docs', 'schemas');

describe.each([
  ['policy-input.v1.json', policyInputJsonSchema],
  ['policy-document.v1.json', policyDocumentJsonSchema],
  ['policy-verdict.v1.json', policyVerdictJsonSchema],
])('docs/schemas/%s', (file, generate) => {
  it('is generated from the current zod schema', () => {
    const schema = generate();
    if (process.env.UPDATE_SCHEMAS === '1')
      writeFileSync(join(docs, file), `${JSON.stringify(schema, null, 2)}\n`);
    expect(JSON.parse(readFileSync(join(docs, file), 'utf8'))).toEqual(schema);
  });
});
