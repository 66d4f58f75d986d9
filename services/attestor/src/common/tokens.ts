export const ATTESTOR_CLOCK = Symbol.for('stella.attestor.clock');
export const ATTESTOR_LOG = Symbol.for('stella.attestor.log');
export const ATTESTOR_APPEND_QUEUE = Symbol.for('stella.attestor.append-queue');
export const ATTESTOR_TRUST = Symbol.for('stella.attestor.trust');
export const ATTESTOR_SIGNER_CLIENT = Symbol.for('stella.attestor.signer-client');
export const ATTESTOR_RECORD_ATTESTATION = Symbol.for('stella.attestor.record-attestation');
export const ATTESTOR_ATTESTATIONS = Symbol.for('stella.attestor.attestations');
