import { digestOf } from '@stella/canonical';
import { parseDecisionInputs, replayDecision } from '../decision-inputs';
import { createGateRegistry } from '../registry';
import { loadReplayScenario } from './replay-scenario';

// Golden replay: the checked-in inputs must rebuild exactly the checked-in record. A difference
// means recorded decisions would no longer replay: version the changed gate, never regenerate.
describe('golden replay: replay-stage-deny-rejected', () => {
  const scenario = loadReplayScenario('replay-stage-deny-rejected.json');

  it(scenario.description, async () => {
    const replayed = await replayDecision(parseDecisionInputs(scenario.inputs), createGateRegistry());
    expect(replayed.decision.canonical).toBe(scenario.expected.canonical);
    expect(replayed.decision.id).toBe(scenario.expected.id);
    expect(replayed.decision.digest).toBe(scenario.expected.digest);
    expect(digestOf(JSON.parse(scenario.expected.canonical))).toBe(scenario.expected.digest);
  });
});
