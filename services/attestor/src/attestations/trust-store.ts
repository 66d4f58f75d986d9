import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chainProblemsAt, publicKeyId, type ChainProblem, type TrustedPublicKey } from '@stella/attest';
import { AttestorError } from '../common/attestor-error';

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * Whom the attestor believes: static public keys/certificates from configuration, and signer
 * certificates that chain to the pinned Stella root CA at the time they are used.
 */
export class TrustStore {
  private readonly staticKeys: TrustedPublicKey[];
  private readonly root: X509Certificate | undefined;

  constructor(options: { trustedKeysPem?: string; signerCaPem?: string }) {
    this.staticKeys = [...(options.trustedKeysPem ?? '').matchAll(PEM_BLOCK)].map((match) => {
      const key =
        match[1] === 'CERTIFICATE' ? new X509Certificate(match[0]).publicKey : createPublicKey(match[0]);
      return { keyId: publicKeyId(key), publicKey: key };
    });
    this.root = options.signerCaPem === undefined ? undefined : new X509Certificate(options.signerCaPem);
    if (this.root !== undefined && (!this.root.ca || !this.root.verify(this.root.publicKey))) {
      throw new AttestorError(
        'CERTIFICATE_UNTRUSTED',
        'the pinned signer CA is not a self-signed CA certificate',
      );
    }
  }

  get pinnedRoot(): string | undefined {
    return this.root?.toString();
  }

  /**
   * The keys an envelope may be verified with: the static ones, plus the leaf of `chain` when it
   * is issued by the pinned root and both certificates are valid at `at` (the signing time).
   */
  trustedKeys(chain: readonly string[] | undefined, at: Date): TrustedPublicKey[] {
    if (chain === undefined || chain.length === 0) return [...this.staticKeys];
    const leaf = this.leafKey(chain, at);
    const keyId = publicKeyId(leaf);
    return [...this.staticKeys.filter((k) => k.keyId !== keyId), { keyId, publicKey: leaf }];
  }

  private leafKey(chain: readonly string[], at: Date): KeyObject {
    if (this.root === undefined) {
      throw new AttestorError(
        'CERTIFICATE_UNTRUSTED',
        'no signer CA is pinned (STELLA_ATTESTOR_SIGNER_CA): certificates cannot be trusted',
      );
    }
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(chain[0]!);
    } catch (cause) {
      throw new AttestorError(
        'CERTIFICATE_UNTRUSTED',
        'the signing certificate is not a PEM X.509 certificate',
        {},
        { cause },
      );
    }
    // The same "valid at signing time" check as the signer and `stella verify` (libs/attest).
    const problems = [...new Set(chainProblemsAt(chain[0]!, this.root.toString(), at).map(describeProblem(at)))];
    if (problems.length > 0)
      throw new AttestorError(
        'CERTIFICATE_UNTRUSTED',
        `the signing certificate is untrusted: ${problems.join('; ')}`,
        { problems },
      );
    return leaf.publicKey;
  }
}

function describeProblem(at: Date): (problem: ChainProblem) => string {
  return (problem) => {
    switch (problem) {
      case 'NOT_ISSUED_BY_ROOT':
      case 'SIGNATURE_INVALID':
        return 'not issued by the pinned root CA';
      case 'NOT_YET_VALID':
      case 'EXPIRED':
        return `certificate not valid at ${at.toISOString()}`;
      default:
        return problem;
    }
  };
}
