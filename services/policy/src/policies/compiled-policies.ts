import { Injectable } from '@nestjs/common';
import { compilePolicy, type CompiledPolicy } from '@stella/policy-engine';

const CACHE_SIZE = 64;

/** Compiled policies by content hash (compilation plans CEL and loads wasm: done once per version). */
@Injectable()
export class CompiledPolicies {
  private readonly cache = new Map<string, CompiledPolicy>();

  /** Compiles a stored source; the hash it was stored under must match (a changed engine would say). */
  get(policyHash: string, source: string): CompiledPolicy {
    const cached = this.cache.get(policyHash);
    if (cached) {
      this.cache.delete(policyHash);
      this.cache.set(policyHash, cached);
      return cached;
    }
    const compiled = compilePolicy(source);
    if (compiled.policyHash !== policyHash)
      throw new Error(`stored policy ${policyHash} now compiles to ${compiled.policyHash}`);
    this.cache.set(policyHash, compiled);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return compiled;
  }
}
