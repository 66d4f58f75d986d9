import type { Principal } from './principal';

interface Entry {
  readonly principal: Principal;
  readonly kid: string;
  readonly expiresAtMs: number;
}

/**
 * Bounded LRU of token strings that already passed full verification. Signature checking
 * (Ed25519 in OpenSSL, plus jose's parsing) dominates verification cost, and services see the
 * same token many times within its short life; a hit skips the crypto but expiry is still checked
 * on every use. Only exact byte-for-byte token strings hit, so a cached entry proves nothing new.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  get(token: string): Entry | undefined {
    const entry = this.entries.get(token);
    if (entry) {
      // Re-insert to mark it most recently used (Map iterates in insertion order).
      this.entries.delete(token);
      this.entries.set(token, entry);
    }
    return entry;
  }

  set(token: string, principal: Principal, kid: string): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(token);
    this.entries.set(token, { principal, kid, expiresAtMs: principal.expiresAt.getTime() });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
