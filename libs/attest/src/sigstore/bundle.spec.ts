import { generateKeyPairSync } from 'node:crypto';
import { signEnvelope } from '../dsse/sign-envelope';
import { createKeySigner } from '../dsse/signer';
import { isAttestError, type AttestErrorCode } from '../errors';
import {
  parseSigstoreBundle,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  toSigstoreBundle,
  verifySigstoreBundle,
} from './bundle';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createKeySigner(keys.privateKey, { keyId: 'stella-signer-1' });
const trusted = [{ keyId: 'stella-signer-1', publicKey: keys.publicKey }];
const payload = Buffer.from('{"hello":"world"}');

async function codeOf(fn: () => unknown): Promise<AttestErrorCode | undefined> {
  try {
    await fn();
    return undefined;
  } catch (error) {
    if (isAttestError(error)) return error.code;
    throw error;
  }
}

describe('Sigstore bundle v0.3', () => {
  it('wraps a single-signature envelope with a public key hint and no tlog entries', async () => {
    const envelope = await signEnvelope(payload, 'application/vnd.in-toto+json', [signer]);
    const bundle = toSigstoreBundle(envelope);
    expect(bundle).toEqual({
      mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
      verificationMaterial: {
        publicKey: { hint: 'stella-signer-1' },
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      dsseEnvelope: {
        payload: envelope.payload,
        payloadType: envelope.payloadType,
        signatures: [{ sig: envelope.signatures[0]!.sig, keyid: 'stella-signer-1' }],
      },
    });
    expect(toSigstoreBundle(envelope, { publicKeyHint: 'other' }).verificationMaterial.publicKey.hint).toBe(
      'other',
    );
  });

  it('round-trips through JSON and verifies', async () => {
    const envelope = await signEnvelope(payload, 'application/vnd.in-toto+json', [signer]);
    const json = JSON.stringify(toSigstoreBundle(envelope));
    expect(parseSigstoreBundle(json)).toEqual({ publicKeyHint: 'stella-signer-1', envelope });
    const verified = await verifySigstoreBundle(json, trusted);
    expect(verified.payload).toEqual(payload);
    expect(verified.publicKeyHint).toBe('stella-signer-1');
  });

  it('uses the hint to pick the key when the signature has no keyid', async () => {
    const envelope = await signEnvelope(payload, 'application/vnd.in-toto+json', [signer]);
    const bundle = JSON.parse(JSON.stringify(toSigstoreBundle(envelope))) as {
      dsseEnvelope: { signatures: { keyid?: string }[] };
    };
    delete bundle.dsseEnvelope.signatures[0]!.keyid;
    expect((await verifySigstoreBundle(bundle, trusted)).verifiedKeyIds).toEqual(['stella-signer-1']);
  });

  it('fails with the wrong key or a tampered payload', async () => {
    const envelope = await signEnvelope(payload, 'application/vnd.in-toto+json', [signer]);
    const bundle = toSigstoreBundle(envelope);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(
      await codeOf(() => verifySigstoreBundle(bundle, [{ keyId: 'stella-signer-1', publicKey: other }])),
    ).toBe('SIGNATURE_INVALID');
    const tampered = {
      ...bundle,
      dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from('{"hello":"there"}').toString('base64') },
    };
    expect(await codeOf(() => verifySigstoreBundle(tampered, trusted))).toBe('SIGNATURE_INVALID');
  });

  it('refuses envelopes with zero or several signatures', async () => {
    const other = createKeySigner(generateKeyPairSync('ed25519').privateKey);
    const two = await signEnvelope(payload, 'application/vnd.in-toto+json', [signer, other]);
    expect(await codeOf(() => toSigstoreBundle(two))).toBe('BUNDLE_MALFORMED');
    const bundle = toSigstoreBundle({ ...two, signatures: [two.signatures[0]!] });
    expect(await codeOf(() => parseSigstoreBundle({ ...bundle, dsseEnvelope: two }))).toBe(
      'BUNDLE_MALFORMED',
    );
  });

  it.each<[string, (b: Record<string, unknown>) => unknown]>([
    ['another media type', (b) => ({ ...b, mediaType: 'application/vnd.dev.sigstore.bundle.v0.2+json' })],
    ['no public key hint', (b) => ({ ...b, verificationMaterial: { tlogEntries: [] } })],
    [
      'transparency log entries it cannot verify',
      (b) => ({ ...b, verificationMaterial: { publicKey: { hint: 'h' }, tlogEntries: [{ logIndex: '1' }] } }),
    ],
    [
      'RFC 3161 timestamps it cannot verify',
      (b) => ({
        ...b,
        verificationMaterial: {
          publicKey: { hint: 'h' },
          timestampVerificationData: { rfc3161Timestamps: [{}] },
        },
      }),
    ],
    ['not JSON', () => '{'],
    [
      'a message signature instead of a DSSE envelope',
      (b) => ({ ...b, dsseEnvelope: undefined, messageSignature: { signature: 'AA==' } }),
    ],
  ])('refuses a bundle with %s', async (_label, mutate) => {
    const envelope = await signEnvelope(payload, 'application/vnd.in-toto+json', [signer]);
    const bundle = toSigstoreBundle(envelope) as unknown as Record<string, unknown>;
    expect(await codeOf(() => parseSigstoreBundle(mutate(bundle)))).toBe('BUNDLE_MALFORMED');
  });

  it('accepts the legacy v0.3 media type spelling', async () => {
    const envelope = await signEnvelope(payload, 'application/vnd.in-toto+json', [signer]);
    const legacy = {
      ...toSigstoreBundle(envelope),
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.3',
    };
    expect(parseSigstoreBundle(legacy).publicKeyHint).toBe('stella-signer-1');
  });
});
