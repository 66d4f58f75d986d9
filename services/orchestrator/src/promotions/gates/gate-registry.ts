import { Inject, Injectable } from '@nestjs/common';
import { GATES } from '../../common/tokens';
import type { Gate } from './gate';

/** The gates this process knows, by name (the GATES provider lists them). */
@Injectable()
export class GateRegistry {
  private readonly byName: ReadonlyMap<string, Gate>;

  constructor(@Inject(GATES) gates: readonly Gate[]) {
    const byName = new Map<string, Gate>();
    for (const gate of gates) {
      if (byName.has(gate.name)) throw new Error(`two gates are named ${gate.name}`);
      byName.set(gate.name, gate);
    }
    this.byName = byName;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  unknown(names: readonly string[]): string[] {
    return names.filter((name) => !this.byName.has(name));
  }

  get(name: string): Gate | undefined {
    return this.byName.get(name);
  }
}
