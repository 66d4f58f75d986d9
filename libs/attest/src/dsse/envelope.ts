import { canonicalize } from '@stella/canonical';
import { decodeBase64Strict } from '../encoding/base64';
import { AttestError, type AttestIssue } from '../errors';
import { parseJsonText } from '../validation';

/** One DSSE signature. `keyid` is an unauthenticated hint; unset is the same as empty. */
export interface DsseSignature {
  readonly keyid: string;
  /** Base64 of the raw signature bytes. */
  readonly sig: string;
}

/** The DSSE v1 JSON envelope. */
export interface DsseEnvelope {
  /** Base64 of the serialized body. */
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly DsseSignature[];
}

/** Size bounds applied when producing and when parsing envelopes. */
export interface EnvelopeLimits {
  /** Decoded payload bytes. SBOM statements of large images reach tens of MiB. */
  readonly maxPayloadBytes: number;
  readonly maxSignatures: number;
  /** UTF-8 bytes of payloadType. */
  readonly maxPayloadTypeBytes: number;
  readonly maxKeyIdLength: number;
  /** Decoded signature bytes (Ed25519: 64, P-256 DER: <= 72; room for RSA-4096 = 512). */
  readonly maxSignatureBytes: number;
}

export const DEFAULT_ENVELOPE_LIMITS: EnvelopeLimits = Object.freeze({
  maxPayloadBytes: 32 * 1024 * 1024,
  maxSignatures: 16,
  maxPayloadTypeBytes: 256,
  maxKeyIdLength: 256,
  maxSignatureBytes: 1024,
});

export function resolveLimits(overrides: Partial<EnvelopeLimits> = {}): EnvelopeLimits {
  const limits = { ...DEFAULT_ENVELOPE_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new AttestError('TRUST_CONFIG_INVALID', `envelope limit ${name} must be a positive integer`, {
        name,
        value,
      });
    }
  }
  return limits;
}

/** Upper bound of the envelope's JSON text, checked before JSON.parse touches it. */
export function maxEnvelopeJsonBytes(limits: EnvelopeLimits): number {
  const base64 = (n: number): number => Math.ceil(n / 3) * 4;
  return (
    base64(limits.maxPayloadBytes) +
    limits.maxPayloadTypeBytes * 6 +
    limits.maxSignatures * (base64(limits.maxSignatureBytes) + limits.maxKeyIdLength * 6 + 64) +
    64 * 1024
  );
}

interface EnvelopeShape {
  payload: string;
  payloadType: string;
  signatures: Array<{ keyid?: string; sig: string }>;
}

/**
 * The envelope's JSON shape, checked by hand (no schema library: `stella verify` loads this on
 * every run and must start fast). Unknown fields are ignored (DSSE: "Consumers MUST ignore
 * unrecognized fields"). Returns every problem with its JSON path.
 */
function shapeIssues(value: unknown): AttestIssue[] {
  const issues: AttestIssue[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const expect = (path: string, v: unknown, type: 'string' | 'array' | 'object') => {
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObject(v) : typeof v === type;
    if (!ok) issues.push({ path, message: `Invalid input: expected ${type}, received ${v === undefined ? 'undefined' : typeOf(v)}` });
    return ok;
  };
  if (!expect('$', value, 'object')) return issues;
  const v = value as Record<string, unknown>;
  expect('$.payload', v.payload, 'string');
  expect('$.payloadType', v.payloadType, 'string');
  if (expect('$.signatures', v.signatures, 'array')) {
    (v.signatures as unknown[]).forEach((signature, i) => {
      if (!expect(`$.signatures[${i}]`, signature, 'object')) return;
      const sig = signature as Record<string, unknown>;
      if (sig.keyid !== undefined) expect(`$.signatures[${i}].keyid`, sig.keyid, 'string');
      expect(`$.signatures[${i}].sig`, sig.sig, 'string');
    });
  }
  return issues.slice(0, 50);
}

/** An envelope with its payload and signatures decoded; what verification works on. */
export interface DecodedEnvelope {
  readonly envelope: DsseEnvelope;
  readonly payload: Buffer;
  readonly signatures: readonly { readonly keyid: string; readonly sig: Buffer }[];
}

/**
 * Strictly reads a DSSE envelope from JSON text/bytes or an already-parsed value: required fields
 * present with the right types, base64 valid (standard or URL-safe), every size within `limits`.
 */
export function decodeEnvelope(input: unknown, overrides: Partial<EnvelopeLimits> = {}): DecodedEnvelope {
  const limits = resolveLimits(overrides);
  const value =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJsonText(input, maxEnvelopeJsonBytes(limits), 'ENVELOPE_MALFORMED', 'DSSE envelope')
      : input;

  // Bound the signature count before zod walks each element.
  const rawSignatures = (value as { signatures?: unknown } | null)?.signatures;
  if (Array.isArray(rawSignatures) && rawSignatures.length > limits.maxSignatures) {
    throw tooLarge('$.signatures', `${rawSignatures.length} signatures, limit is ${limits.maxSignatures}`);
  }
  const issues = shapeIssues(value);
  if (issues.length > 0) {
    throw new AttestError(
      'ENVELOPE_MALFORMED',
      `DSSE envelope is invalid: ${issues[0]?.path}: ${issues[0]?.message}`,
      {
        issues,
      },
    );
  }
  const { payload, payloadType } = value as EnvelopeShape;
  const signatures = (value as EnvelopeShape).signatures.map((s) => ({ ...(s.keyid === undefined ? {} : { keyid: s.keyid }), sig: s.sig }));

  if (Buffer.byteLength(payloadType, 'utf8') > limits.maxPayloadTypeBytes) {
    throw tooLarge('$.payloadType', `payloadType longer than ${limits.maxPayloadTypeBytes} bytes`);
  }
  if (payload.length > Math.ceil(limits.maxPayloadBytes / 3) * 4) {
    throw tooLarge('$.payload', `payload larger than ${limits.maxPayloadBytes} bytes`);
  }
  const payloadBytes = decodeBase64Strict(payload);
  if (!payloadBytes) throw malformed('$.payload', 'not valid base64 (standard or URL-safe)');
  if (payloadBytes.byteLength > limits.maxPayloadBytes) {
    throw tooLarge('$.payload', `payload larger than ${limits.maxPayloadBytes} bytes`);
  }

  const decodedSignatures = signatures.map((signature, index) => {
    const keyid = signature.keyid ?? '';
    if (keyid.length > limits.maxKeyIdLength) {
      throw tooLarge(`$.signatures[${index}].keyid`, `keyid longer than ${limits.maxKeyIdLength}`);
    }
    if (signature.sig.length > Math.ceil(limits.maxSignatureBytes / 3) * 4) {
      throw tooLarge(`$.signatures[${index}].sig`, `signature larger than ${limits.maxSignatureBytes} bytes`);
    }
    const sig = decodeBase64Strict(signature.sig);
    if (!sig) throw malformed(`$.signatures[${index}].sig`, 'not valid base64 (standard or URL-safe)');
    if (sig.byteLength === 0) throw malformed(`$.signatures[${index}].sig`, 'signature is empty');
    if (sig.byteLength > limits.maxSignatureBytes) {
      throw tooLarge(`$.signatures[${index}].sig`, `signature larger than ${limits.maxSignatureBytes} bytes`);
    }
    return { keyid, sig };
  });

  return {
    envelope: {
      payload,
      payloadType,
      signatures: decodedSignatures.map((s, i) => ({ keyid: s.keyid, sig: signatures[i]!.sig })),
    },
    payload: payloadBytes,
    signatures: decodedSignatures,
  };
}

/** Validates and normalizes an envelope (unset keyid becomes ""), see `decodeEnvelope`. */
export function parseEnvelope(input: unknown, limits: Partial<EnvelopeLimits> = {}): DsseEnvelope {
  return decodeEnvelope(input, limits).envelope;
}

/**
 * Canonical JSON (RFC 8785) of the envelope: stable bytes for storage and content addressing.
 * Empty key ids are omitted, which DSSE defines as equivalent.
 */
export function serializeEnvelope(envelope: DsseEnvelope): string {
  return canonicalize({
    payload: envelope.payload,
    payloadType: envelope.payloadType,
    signatures: envelope.signatures.map((s) => (s.keyid ? { keyid: s.keyid, sig: s.sig } : { sig: s.sig })),
  });
}

function malformed(path: string, message: string): AttestError {
  const issues: AttestIssue[] = [{ path, message }];
  return new AttestError('ENVELOPE_MALFORMED', `DSSE envelope is invalid: ${path}: ${message}`, { issues });
}

function tooLarge(path: string, message: string): AttestError {
  const issues: AttestIssue[] = [{ path, message }];
  return new AttestError('ENVELOPE_TOO_LARGE', `DSSE envelope exceeds a size limit: ${path}: ${message}`, {
    issues,
  });
}
