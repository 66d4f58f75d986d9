import { X509Certificate, type KeyObject } from 'node:crypto';
import { spkiDer } from '../keys';

/** Why a certificate chain is not valid at an instant (several may hold at once). */
export type ChainProblem =
  | 'MALFORMED_CERTIFICATE'
  | 'ROOT_NOT_CA'
  | 'ROOT_SIGNATURE_INVALID'
  | 'NOT_ISSUED_BY_ROOT'
  | 'SIGNATURE_INVALID'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'KEY_MISMATCH';

/**
 * "Certificate chain valid at signing time", the one check the signer, the attestor and the
 * offline verifier share: the pinned root is a self-signed CA, the leaf is issued and signed by
 * it, both validity windows contain `at`, and (optionally) the leaf certifies `expectedKey`.
 * Returns every problem found (empty: valid), so verifiers can report each one.
 */
export function chainProblemsAt(
  leafPem: string,
  rootPem: string,
  at: Date,
  expectedKey?: KeyObject,
): ChainProblem[] {
  let leaf: X509Certificate;
  let root: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
    root = new X509Certificate(rootPem);
  } catch {
    return ['MALFORMED_CERTIFICATE'];
  }
  const problems: ChainProblem[] = [];
  if (!root.ca) problems.push('ROOT_NOT_CA');
  if (!root.verify(root.publicKey)) problems.push('ROOT_SIGNATURE_INVALID');
  if (!leaf.checkIssued(root)) problems.push('NOT_ISSUED_BY_ROOT');
  if (!leaf.verify(root.publicKey)) problems.push('SIGNATURE_INVALID');
  for (const cert of [leaf, root]) {
    if (at.getTime() < new Date(cert.validFrom).getTime()) problems.push('NOT_YET_VALID');
    if (at.getTime() > new Date(cert.validTo).getTime()) problems.push('EXPIRED');
  }
  if (expectedKey !== undefined && !spkiDer(leaf.publicKey).equals(spkiDer(expectedKey)))
    problems.push('KEY_MISMATCH');
  return [...new Set(problems)];
}

/** The leaf's public key, once `chainProblemsAt` found no problem. */
export function leafPublicKey(leafPem: string): KeyObject {
  return new X509Certificate(leafPem).publicKey;
}
