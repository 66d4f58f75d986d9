// Regenerates the golden files' `expected` from their `input` (only when a change of the
// decision format is intended — bump DECISION_ENGINE_VERSION then):
//   npx tsc -b services/orchestrator && node services/orchestrator/dist/decisions/golden/generate.js
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDecisionRecord } from '../decision-record';
import type { GoldenScenario } from './golden-scenario';

const dir = join(__dirname, '..', '..', '..', 'src', 'decisions', 'golden');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const scenario = JSON.parse(readFileSync(join(dir, file), 'utf8')) as GoldenScenario;
  const built = buildDecisionRecord(scenario.input);
  scenario.expected = { id: built.id, digest: built.digest, record: built.record as unknown as Record<string, unknown> };
  writeFileSync(join(dir, file), `${JSON.stringify(scenario, null, 2)}\n`);
}
