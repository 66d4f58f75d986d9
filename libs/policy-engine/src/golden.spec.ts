// Golden scenarios, one per file in src/golden/*.json: {description, environment input, expected}.
// Every scenario is evaluated with src/golden/policy.yaml and must give exactly the checked-in
// verdict (byte for byte). To regenerate after an intended behaviour change:
//   UPDATE_GOLDEN=1 npx jest --selectProjects unit -- libs/policy-engine/src/golden
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@stella/canonical';
import {
  compilePolicy,
  evaluatePolicy,
  validatePolicyVerdict,
  verdictBytes,
  type PolicyInput,
  type PolicyVerdict,
} from './index';

const dir = join(__dirname, 'golden');
const policy = compilePolicy(readFileSync(join(dir, 'policy.yaml'), 'utf8'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface Scenario {
  description: string;
  input: PolicyInput;
  expected?: PolicyVerdict;
}

describe('golden scenarios', () => {
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(8));

  it.each(files)('%s', (file) => {
    const path = join(dir, file);
    const scenario = JSON.parse(readFileSync(path, 'utf8')) as Scenario;
    const verdict = evaluatePolicy(policy, scenario.input);
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(path, `${JSON.stringify({ ...scenario, expected: verdict }, null, 2)}\n`);
      return;
    }
    expect(scenario.expected).toBeDefined();
    expect(verdict).toEqual(scenario.expected);
    expect(validatePolicyVerdict(scenario.expected)).toEqual(verdict);
    expect(Buffer.from(verdictBytes(verdict)).toString('utf8')).toBe(canonicalize(scenario.expected));
  });
});
