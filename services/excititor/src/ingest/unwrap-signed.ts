import { isAttestError, IN_TOTO_PAYLOAD_TYPE, parseStatement, verifyEnvelope } from '@stella/attest';
import type { IssuerConfig } from '../config/excititor-config';

export type Unwrapped =
  | { readonly signed: false; readonly document: unknown }
  | {
      readonly signed: true;
      readonly document: unknown;
      readonly issuerId: string;
      readonly keyIds: readonly string[];
    }
  | { readonly error: string };

function isEnvelope(
  value: unknown,
): value is { payloadType: string; payload: string; signatures: unknown[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { payloadType?: unknown }).payloadType === 'string' &&
    typeof (value as { payload?: unknown }).payload === 'string' &&
    Array.isArray((value as { signatures?: unknown }).signatures)
  );
}

/**
 * A DSSE envelope is verified against each configured issuer's keys; the first issuer whose key
 * verifies is the document's issuer (the key speaks, not the author field). Its payload is the VEX
 * document itself or an in-toto Statement whose predicate is one. Unsigned input passes through.
 */
export async function unwrapSigned(value: unknown, issuers: readonly IssuerConfig[]): Promise<Unwrapped> {
  if (!isEnvelope(value)) return { signed: false, document: value };
  for (const issuer of issuers) {
    if (issuer.publicKeys.length === 0) continue;
    let verified;
    try {
      verified = await verifyEnvelope(
        value,
        issuer.publicKeys.map((k) => ({ ...(k.keyId ? { keyId: k.keyId } : {}), publicKey: k.publicKeyPem })),
      );
    } catch (error) {
      if (isAttestError(error)) continue;
      throw error;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(verified.payload.toString('utf8'));
    } catch {
      return { error: `signed payload (${verified.payloadType}) is not JSON` };
    }
    if (verified.payloadType === IN_TOTO_PAYLOAD_TYPE) {
      try {
        payload = parseStatement(payload).predicate;
      } catch (error) {
        return { error: `signed in-toto statement: ${(error as Error).message}` };
      }
    }
    return { signed: true, document: payload, issuerId: issuer.id, keyIds: verified.verifiedKeyIds };
  }
  return { error: 'DSSE envelope: no signature verifies against any configured issuer key' };
}
