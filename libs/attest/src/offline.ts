// @stella/attest/offline: the subset an offline verifier needs, with no schema library behind it,
// so a one-shot process (`stella verify`) starts fast. Same implementations as the main entry.
export { chainProblemsAt, leafPublicKey, type ChainProblem } from './x509/chain';
export { publicKeyId, spkiDer } from './keys';
export { preAuthEncoding } from './dsse/pae';
export { verifyEnvelope, type VerifiedEnvelope, type VerifyEnvelopeOptions } from './dsse/verify-envelope';
export { AttestError, isAttestError } from './errors';
export { DECISION_RECORD_V1, IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V1 } from './names';
