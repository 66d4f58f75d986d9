import { DecisionRecordV1Schema } from '@stella/attest';
import { canonicalize } from '@stella/canonical';
import { buildDecisionRecord } from '../decision-record';
import { loadScenario } from './golden-scenario';

// Golden replay: the checked-in inputs must produce exactly the checked-in record, id and digest.
// A difference means decisions would not replay: change the engine version, then regenerate.
describe('golden decision: prod-deny-freeze-window', () => {
  const scenario = loadScenario('prod-deny-freeze-window.json');

  it(scenario.description, () => {
    const built = buildDecisionRecord(scenario.input);
    expect(built.record).toEqual(scenario.expected.record);
    expect(built.id).toBe(scenario.expected.id);
    expect(built.digest).toBe(scenario.expected.digest);
    expect(built.canonical).toBe(canonicalize(scenario.expected.record));
    expect(DecisionRecordV1Schema.safeParse(scenario.expected.record).success).toBe(true);
  });
});
