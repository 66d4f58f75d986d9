import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecisionInput } from '../decision-record';

/** A replay scenario: fixed decision inputs and the exact record they must produce (checked in). */
export interface GoldenScenario {
  description: string;
  input: DecisionInput;
  expected: { id: string; digest: string; record: Record<string, unknown> };
}

export function loadScenario(file: string): GoldenScenario {
  return JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as GoldenScenario;
}
