import { ApprovalsGate } from './builtin/approvals.gate';
import { FreezeWindowGate } from './builtin/freeze-window.gate';
import { PreviousEnvironmentGate } from './builtin/previous-environment.gate';
import { GatesError } from './errors';
import type { Gate } from './gate';

/**
 * Gate evaluators by name and engine version. The current evaluator of a name (`current`) is
 * what a live promotion runs; replay asks for the exact version a decision recorded (`get`), so
 * an old decision re-runs with the rules that made it even after a gate changed meaning.
 */
export class GateEvaluatorRegistry {
  private readonly byKey = new Map<string, Gate>();
  private readonly currentByName = new Map<string, Gate>();

  constructor(gates: readonly Gate[] = []) {
    for (const gate of gates) this.register(gate);
  }

  /** Adds an evaluator; the last one registered for a name is its current version. */
  register(gate: Gate): this {
    const key = keyOf(gate.name, gate.engineVersion);
    if (this.byKey.has(key)) throw new GatesError('DUPLICATE_GATE', `gate ${gate.name} ${gate.engineVersion} is registered twice`);
    this.byKey.set(key, gate);
    this.currentByName.set(gate.name, gate);
    return this;
  }

  names(): string[] {
    return [...this.currentByName.keys()];
  }

  unknown(names: readonly string[]): string[] {
    return names.filter((name) => !this.currentByName.has(name));
  }

  /** The evaluator live promotions use for `name`. */
  current(name: string): Gate | undefined {
    return this.currentByName.get(name);
  }

  /** The evaluator of exactly `name` at `engineVersion` (replay). */
  get(name: string, engineVersion: string): Gate | undefined {
    return this.byKey.get(keyOf(name, engineVersion));
  }

  versions(name: string): string[] {
    return [...this.byKey.values()].filter((g) => g.name === name).map((g) => g.engineVersion);
  }
}

function keyOf(name: string, engineVersion: string): string {
  return `${name}\u0000${engineVersion}`;
}

/** The built-in evaluators, in their default order. */
export function builtInGates(): Gate[] {
  return [new PreviousEnvironmentGate(), new FreezeWindowGate(), new ApprovalsGate()];
}

/**
 * A registry with every evaluator this build of Stella knows (built-ins, plus `extra`, e.g. the
 * policy gate's replay evaluator): what `stella replay` and the export service use.
 */
export function createGateRegistry(extra: readonly Gate[] = []): GateEvaluatorRegistry {
  return new GateEvaluatorRegistry([...builtInGates(), ...extra]);
}
