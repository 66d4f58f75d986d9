import { ImportedKeySet, type VerificationKey, type VerificationKeyResolver } from './verification-key';

/** Public JWKs obtained in-process, e.g. the authority reading its own signing keys. */
export type LocalKeySource = () => readonly unknown[] | Promise<readonly unknown[]>;

/** Asks the source for the current keys on every lookup and cache hit; the source does its own caching. */
export class LocalKeyResolver implements VerificationKeyResolver {
  private readonly keys = new ImportedKeySet();

  constructor(
    private readonly getKeys: LocalKeySource,
    private readonly onKeysRevoked: () => void,
  ) {}

  async resolve(kid: string): Promise<VerificationKey | undefined> {
    if (this.keys.replace(await this.getKeys())) this.onKeysRevoked();
    return this.keys.get(kid);
  }

  /** Re-reads the source, so a key withdrawn in-process stops cached tokens at once. */
  async isKnown(kid: string): Promise<boolean> {
    return (await this.resolve(kid)) !== undefined;
  }
}
