// @stella/attest: DSSE envelopes, in-toto Statements v1, predicates and Sigstore bundles.
// Pure library (no NestJS, no network, no environment): shared by services, CLI and offline verifier.
export {
  AttestError,
  isAttestError,
  type AttestErrorCode,
  type AttestErrorDetails,
  type AttestIssue,
} from './errors';

export {
  algorithmOf,
  publicKeyId,
  publicKeyPem,
  SIGNATURE_ALGORITHMS,
  spkiDer,
  toPrivateKey,
  toPublicKey,
  type PrivateKeyInput,
  type PublicKeyInput,
  type SignatureAlgorithm,
} from './keys';

export { preAuthEncoding } from './dsse/pae';
export {
  DEFAULT_ENVELOPE_LIMITS,
  parseEnvelope,
  serializeEnvelope,
  type DsseEnvelope,
  type DsseSignature,
  type EnvelopeLimits,
} from './dsse/envelope';
export { createKeySigner, type KeySignerOptions, type Signer } from './dsse/signer';
export {
  createKeyVerifier,
  PublicKeyVerifier,
  type TrustedKey,
  type TrustedPublicKey,
  type Verifier,
} from './dsse/verifier';
export { signEnvelope, type SignEnvelopeOptions } from './dsse/sign-envelope';
export {
  DEFAULT_THRESHOLD,
  verifyEnvelope,
  type VerifiedEnvelope,
  type VerifyEnvelopeOptions,
} from './dsse/verify-envelope';
export { derToP1363, p1363ToDer } from './dsse/ecdsa-signature';

export {
  buildStatement,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_V1,
  isInTotoPayloadType,
  parseStatement,
  sha256Subject,
  statementBytes,
  statementHasSubject,
  StatementSchema,
  type Statement,
  type StatementInput,
} from './intoto/statement';
export { ResourceDescriptorSchema, type ResourceDescriptor } from './intoto/resource-descriptor';
export { DigestSetSchema, type DigestSet } from './intoto/field-types';

export {
  isKnownPredicateType,
  parsePredicate,
  predicateSchemaFor,
  PredicateTypes,
  type KnownPredicateType,
  type PredicateMap,
  type PredicateOf,
} from './predicates/registry';
export { SlsaProvenanceV1Schema, type SlsaProvenanceV1 } from './predicates/slsa-provenance-v1';
export { CycloneDxBomSchema, type CycloneDxBom } from './predicates/cyclonedx';
export {
  Spdx2DocumentSchema,
  Spdx3DocumentSchema,
  type Spdx2Document,
  type Spdx3Document,
} from './predicates/spdx';
export { OpenVexDocumentSchema, type OpenVexDocument } from './predicates/openvex';
export { VulnsV02Schema, type VulnsV02 } from './predicates/vulns-v02';
export {
  DECISION_RECORD_V1,
  DECISION_RECORD_V1_SCHEMA_ID,
  decisionRecordV1JsonSchema,
  DecisionRecordV1Schema,
  type DecisionApproval,
  type DecisionGate,
  type DecisionRecordV1,
} from './predicates/decision-record-v1';

export {
  buildDecisionRecordStatement,
  signStatement,
  verifyAttestation,
  type SignStatementOptions,
  type VerifiedAttestation,
  type VerifyAttestationOptions,
} from './attestation';

export {
  parseSigstoreBundle,
  SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  toSigstoreBundle,
  verifySigstoreBundle,
  type ParsedSigstoreBundle,
  type SigstoreBundleV03,
} from './sigstore/bundle';

export { chainProblemsAt, leafPublicKey, type ChainProblem } from './x509/chain';
