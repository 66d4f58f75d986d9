"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DECISION_RECORD_V1 = exports.IN_TOTO_PAYLOAD_TYPE = exports.IN_TOTO_STATEMENT_V1 = void 0;
// Identifiers shared by the zod-backed modules and the offline entry (no runtime dependencies).
exports.IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
exports.IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
exports.DECISION_RECORD_V1 = 'https://stella-ops.dev/attestations/decision-record/v1';
//# sourceMappingURL=names.js.map