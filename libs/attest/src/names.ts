// Identifiers shared by the zod-backed modules and the offline entry (no runtime dependencies).
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const DECISION_RECORD_V1 = 'https://stella-ops.dev/attestations/decision-record/v1';
