import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { PublicKeyDetails, type TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, VerificationError } from '@sigstore/verify';
import {
  buildDecisionRecordStatement,
  createKeySigner,
  signStatement,
  spkiDer,
  toSigstoreBundle,
  type SigstoreBundleV03,
} from '@stella/attest';
import { sampleDecisionRecord } from '../src/__fixtures__/decision-record';

/**
 * Bundles produced by @stella/attest verified by sigstore-js (@sigstore/verify), fully offline:
 * an empty trusted root, the public key supplied by hint, no tlog / CT / timestamp required.
 */
const EMPTY_TRUSTED_ROOT: TrustedRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

function sigstoreVerifier(hint: string, publicKey: KeyObject, keyDetails: PublicKeyDetails): Verifier {
  const trustMaterial = toTrustMaterial(EMPTY_TRUSTED_ROOT, {
    [hint]: { rawBytes: spkiDer(publicKey), keyDetails },
  });
  return new Verifier(trustMaterial, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
}

function sigstoreVerify(bundle: SigstoreBundleV03, verifier: Verifier): KeyObject {
  // Through JSON, as a bundle file would travel.
  const parsed = bundleFromJSON(JSON.parse(JSON.stringify(bundle)));
  return verifier.verify(toSignedEntity(parsed)).key;
}

describe.each([
  ['ed25519', () => generateKeyPairSync('ed25519'), PublicKeyDetails.PKIX_ED25519],
  [
    'ecdsa-p256',
    () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
  ],
] as const)(
  '@sigstore/verify accepts @stella/attest bundles signed with %s',
  (_name, generate, keyDetails) => {
    const keys = generate();
    const hint = 'stella-signer/key-1';
    const signer = createKeySigner(keys.privateKey, { keyId: hint });
    const verifier = sigstoreVerifier(hint, keys.publicKey, keyDetails);

    it('verifies a decision record bundle and reports the signing key', async () => {
      const envelope = await signStatement(buildDecisionRecordStatement(sampleDecisionRecord), [signer]);
      const signingKey = sigstoreVerify(toSigstoreBundle(envelope), verifier);
      expect(spkiDer(signingKey)).toEqual(spkiDer(keys.publicKey));
    });

    it('rejects the bundle when the payload is tampered with', async () => {
      const envelope = await signStatement(buildDecisionRecordStatement(sampleDecisionRecord), [signer]);
      const tampered = buildDecisionRecordStatement({ ...sampleDecisionRecord, verdict: 'deny' });
      const bundle = toSigstoreBundle({
        ...envelope,
        payload: Buffer.from(JSON.stringify(tampered)).toString('base64'),
      });
      expect(() => sigstoreVerify(bundle, verifier)).toThrow(VerificationError);
    });

    it('rejects the bundle when the hint names no trusted key', async () => {
      const envelope = await signStatement(buildDecisionRecordStatement(sampleDecisionRecord), [signer]);
      expect(() =>
        sigstoreVerify(toSigstoreBundle(envelope, { publicKeyHint: 'unknown' }), verifier),
      ).toThrow(/key not found/);
    });

    it('rejects a bundle signed by another key under the same hint', async () => {
      const impostor = createKeySigner(generate().privateKey, { keyId: hint });
      const envelope = await signStatement(buildDecisionRecordStatement(sampleDecisionRecord), [impostor]);
      expect(() => sigstoreVerify(toSigstoreBundle(envelope), verifier)).toThrow(VerificationError);
    });
  },
);
