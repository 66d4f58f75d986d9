export declare const IN_TOTO_STATEMENT_V1 = "https://in-toto.io/Statement/v1";
export declare const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export declare const DECISION_RECORD_V1 = "https://stella-ops.dev/attestations/decision-record/v1";
//# sourceMappingURL=names.d.ts.map