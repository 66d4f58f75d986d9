import { canonicalize } from '@stella/canonical';
import type { DsseEnvelope, EnvelopeLimits } from './dsse/envelope';
import { signEnvelope } from './dsse/sign-envelope';
import type { Signer } from './dsse/signer';
import type { TrustedKey } from './dsse/verifier';
import { verifyEnvelope, type VerifiedEnvelope, type VerifyEnvelopeOptions } from './dsse/verify-envelope';
import { AttestError } from './errors';
import {
  buildStatement,
  IN_TOTO_PAYLOAD_TYPE,
  isInTotoPayloadType,
  parseStatement,
  sha256Subject,
  statementBytes,
  statementHasSubject,
  type Statement,
} from './intoto/statement';
import { DECISION_RECORD_V1, type DecisionRecordV1 } from './predicates/decision-record-v1';
import { isKnownPredicateType, parsePredicate, type PredicateOf } from './predicates/registry';
import { decodeUtf8Strict } from './validation';

export interface SignStatementOptions {
  /** Defaults to `application/vnd.in-toto+json`; predicate-specific in-toto types are allowed. */
  readonly payloadType?: string;
  readonly allowUnknownPredicate?: boolean;
  readonly limits?: Partial<EnvelopeLimits>;
}

/**
 * Validates a Statement (and its predicate when the type is known), serializes it as RFC 8785
 * canonical JSON and wraps it in a DSSE envelope signed by every signer.
 */
export async function signStatement(
  statement: Statement<unknown>,
  signers: readonly Signer[],
  options: SignStatementOptions = {},
): Promise<DsseEnvelope> {
  const payloadType = options.payloadType ?? IN_TOTO_PAYLOAD_TYPE;
  if (!isInTotoPayloadType(payloadType)) {
    throw new AttestError('PAYLOAD_TYPE_UNSUPPORTED', `${payloadType} is not an in-toto payload type`, {
      payloadType,
    });
  }
  const checked = parseStatement(statement);
  parsePredicate(checked.predicateType, checked.predicate, {
    allowUnknown: options.allowUnknownPredicate ?? false,
  });
  return signEnvelope(statementBytes(statement), payloadType, signers, { limits: options.limits });
}

export interface VerifyAttestationOptions extends Omit<VerifyEnvelopeOptions, 'payloadType'> {
  /** Accepted predicate types. Default: any type this library knows. */
  readonly predicateTypes?: readonly string[];
  /** Accept predicate types this library has no schema for (their predicate is only required to be an object). */
  readonly allowUnknownPredicate?: boolean;
  /** Require a subject with this `sha256:<hex>` digest. */
  readonly subjectDigest?: string;
  /**
   * Require the payload to be RFC 8785 canonical JSON, which also rules out duplicate object
   * keys that different JSON parsers would resolve differently. Always on for Stella decision
   * records (Stella produces them canonical); default off for third-party attestations.
   */
  readonly requireCanonicalPayload?: boolean;
}

export interface VerifiedAttestation<P = Record<string, unknown>> extends VerifiedEnvelope {
  /** The Statement parsed from the verified payload; its predicate has been validated. */
  readonly statement: Statement<P> & { readonly predicate: P };
}

/**
 * Verifies an in-toto attestation end to end: DSSE signatures and threshold, in-toto payloadType,
 * Statement v1 parsed from the verified bytes, predicate type accepted and its predicate valid,
 * optional subject digest. Decision records must also name their release manifest as subject.
 */
export async function verifyAttestation<T extends string = string>(
  envelope: unknown,
  trustedKeys: readonly TrustedKey[],
  options: VerifyAttestationOptions & { predicateTypes?: readonly T[] } = {},
): Promise<VerifiedAttestation<PredicateOf<T>>> {
  const verified = await verifyEnvelope(envelope, trustedKeys, options);
  if (!isInTotoPayloadType(verified.payloadType)) {
    throw new AttestError(
      'PAYLOAD_TYPE_UNSUPPORTED',
      `payloadType ${verified.payloadType} is not an in-toto Statement`,
      {
        payloadType: verified.payloadType,
      },
    );
  }
  const text = decodeUtf8Strict(verified.payload, 'STATEMENT_INVALID', 'in-toto Statement');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AttestError('STATEMENT_INVALID', 'in-toto Statement is not valid JSON', {}, { cause });
  }
  const statement = parseStatement(json);

  const accepted = options.predicateTypes;
  if (
    accepted
      ? !accepted.includes(statement.predicateType as T)
      : !options.allowUnknownPredicate && !isKnownPredicateType(statement.predicateType)
  ) {
    throw new AttestError(
      'PREDICATE_TYPE_UNSUPPORTED',
      `predicate type ${statement.predicateType} is not accepted`,
      {
        predicateType: statement.predicateType,
        accepted,
      },
    );
  }
  // A type the caller lists explicitly is accepted even without a schema here.
  const predicate = parsePredicate(statement.predicateType, statement.predicate, {
    allowUnknown:
      (options.allowUnknownPredicate ?? false) || (accepted?.includes(statement.predicateType as T) ?? false),
  });

  const isDecisionRecord = statement.predicateType === DECISION_RECORD_V1;
  if ((options.requireCanonicalPayload || isDecisionRecord) && canonicalize(json) !== text) {
    throw new AttestError('PAYLOAD_NOT_CANONICAL', 'payload is not RFC 8785 canonical JSON', {
      predicateType: statement.predicateType,
    });
  }
  if (isDecisionRecord) {
    const manifestDigest = (predicate as DecisionRecordV1).releaseManifestDigest;
    if (!statementHasSubject(statement, manifestDigest)) {
      throw new AttestError('SUBJECT_MISMATCH', 'decision record subject is not its releaseManifestDigest', {
        releaseManifestDigest: manifestDigest,
      });
    }
  }
  if (options.subjectDigest !== undefined && !statementHasSubject(statement, options.subjectDigest)) {
    throw new AttestError('SUBJECT_MISMATCH', `no subject has digest ${options.subjectDigest}`, {
      subjectDigest: options.subjectDigest,
    });
  }
  return { ...verified, statement: { ...statement, predicate: predicate as PredicateOf<T> } };
}

/**
 * The Statement for a decision record: its one subject is the release manifest
 * (`<release name>@<version>`, sha256 of the manifest).
 */
export function buildDecisionRecordStatement(record: DecisionRecordV1): Statement<DecisionRecordV1> {
  const predicate = parsePredicate(DECISION_RECORD_V1, record);
  return buildStatement({
    subject: [
      sha256Subject(
        `${predicate.release.name}@${predicate.release.version}`,
        predicate.releaseManifestDigest,
      ),
    ],
    predicateType: DECISION_RECORD_V1,
    predicate,
  });
}
