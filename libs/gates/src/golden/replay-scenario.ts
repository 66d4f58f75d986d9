import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecisionInputsV1 } from '../decision-inputs';

/**
 * A replay scenario: recorded decision inputs and the exact record they must rebuild (checked in).
 * A difference means recorded decisions would no longer replay: give the changed gate a new
 * engine version (keeping the old evaluator registered) instead of regenerating.
 */
export interface ReplayScenario {
  description: string;
  inputs: DecisionInputsV1;
  expected: { id: string; digest: string; canonical: string };
}

export function loadReplayScenario(file: string): ReplayScenario {
  return JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as ReplayScenario;
}
