import { z } from 'zod';
import { decodeEnvelope, type DsseEnvelope, type EnvelopeLimits } from '../dsse/envelope';
import type { TrustedKey } from '../dsse/verifier';
import { verifyEnvelope, type VerifiedEnvelope, type VerifyEnvelopeOptions } from '../dsse/verify-envelope';
import { AttestError } from '../errors';
import { parseJsonText, parseOrThrow } from '../validation';
import { maxEnvelopeJsonBytes, resolveLimits } from '../dsse/envelope';

export const SIGSTORE_BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The same version under its older media type spelling, still emitted by some clients. */
export const SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';

/**
 * A Sigstore bundle v0.3 (protobuf-specs JSON form) for a DSSE envelope signed by a plain public
 * key: `verificationMaterial.publicKey.hint` names the key, no certificate, no transparency log
 * entries and no timestamps (Stella runs offline; its own evidence store provides the time).
 */
export interface SigstoreBundleV03 {
  readonly mediaType: typeof SIGSTORE_BUNDLE_V03_MEDIA_TYPE;
  readonly verificationMaterial: {
    readonly publicKey: { readonly hint: string };
    readonly tlogEntries: readonly [];
    readonly timestampVerificationData: { readonly rfc3161Timestamps: readonly [] };
  };
  readonly dsseEnvelope: {
    readonly payload: string;
    readonly payloadType: string;
    readonly signatures: readonly [{ readonly sig: string; readonly keyid: string }];
  };
}

/**
 * Wraps a single-signature envelope into a bundle. Sigstore bundles carry exactly one
 * signature; the hint defaults to that signature's keyid.
 */
export function toSigstoreBundle(
  envelope: DsseEnvelope,
  options: { publicKeyHint?: string } = {},
): SigstoreBundleV03 {
  const [signature, ...rest] = envelope.signatures;
  if (!signature || rest.length > 0) {
    throw new AttestError(
      'BUNDLE_MALFORMED',
      `a Sigstore bundle holds exactly one signature, the envelope has ${envelope.signatures.length}`,
    );
  }
  const hint = options.publicKeyHint ?? signature.keyid;
  if (!hint)
    throw new AttestError('BUNDLE_MALFORMED', 'a public key hint is required (the signature has no keyid)');
  return {
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: {
      publicKey: { hint },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: [{ sig: signature.sig, keyid: signature.keyid }],
    },
  };
}

const BundleShapeSchema = z.object({
  mediaType: z.union([
    z.literal(SIGSTORE_BUNDLE_V03_MEDIA_TYPE),
    z.literal(SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE),
  ]),
  verificationMaterial: z.object({
    publicKey: z.object({ hint: z.string().min(1).max(256) }),
    // Transparency-log entries and timestamps are not verified by this library; a bundle that
    // carries them must go to a full Sigstore verifier instead of silently passing here.
    tlogEntries: z.array(z.unknown()).max(0, 'transparency log entries are not supported offline').optional(),
    timestampVerificationData: z
      .object({
        rfc3161Timestamps: z
          .array(z.unknown())
          .max(0, 'RFC 3161 timestamps are not supported offline')
          .optional(),
      })
      .optional(),
  }),
  // Message-signature bundles have no dsseEnvelope and are refused here.
  dsseEnvelope: z.record(z.string(), z.unknown()),
});

export interface ParsedSigstoreBundle {
  readonly publicKeyHint: string;
  readonly envelope: DsseEnvelope;
}

/** Reads a v0.3 public-key DSSE bundle (JSON text/bytes or parsed value). */
export function parseSigstoreBundle(
  input: unknown,
  limits: Partial<EnvelopeLimits> = {},
): ParsedSigstoreBundle {
  const value =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJsonText(
          input,
          maxEnvelopeJsonBytes(resolveLimits(limits)) + 64 * 1024,
          'BUNDLE_MALFORMED',
          'Sigstore bundle',
        )
      : input;
  const bundle = parseOrThrow(BundleShapeSchema, value, 'BUNDLE_MALFORMED', 'Sigstore bundle');
  const { envelope } = decodeEnvelope(bundle.dsseEnvelope, limits);
  if (envelope.signatures.length !== 1) {
    throw new AttestError(
      'BUNDLE_MALFORMED',
      `a Sigstore bundle holds exactly one signature, found ${envelope.signatures.length}`,
    );
  }
  return { publicKeyHint: bundle.verificationMaterial.publicKey.hint, envelope };
}

/**
 * Verifies the bundle's envelope against the trusted keys (threshold 1: a bundle has one
 * signature). The hint, like a DSSE keyid, only selects which key is tried first.
 */
export async function verifySigstoreBundle(
  input: unknown,
  trustedKeys: readonly TrustedKey[],
  options: Omit<VerifyEnvelopeOptions, 'threshold'> = {},
): Promise<VerifiedEnvelope & { readonly publicKeyHint: string }> {
  const { publicKeyHint, envelope } = parseSigstoreBundle(input, options.limits);
  const [signature] = envelope.signatures;
  const hinted = {
    ...envelope,
    signatures: [{ keyid: signature!.keyid || publicKeyHint, sig: signature!.sig }],
  };
  const verified = await verifyEnvelope(hinted, trustedKeys, { ...options, threshold: 1 });
  return { ...verified, envelope, publicKeyHint };
}
