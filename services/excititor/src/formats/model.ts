/** VEX statuses (OpenVEX names; CSAF and CycloneDX states are mapped onto them). */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

export const VEX_FORMATS = ['openvex', 'csaf', 'cyclonedx'] as const;
export type VexFormat = (typeof VEX_FORMATS)[number];

/** One normalised statement: what an issuer says about one vulnerability in one product. */
export interface VexStatement {
  readonly vulnerabilityId: string;
  readonly aliases: readonly string[];
  /** A purl (canonical form, qualifiers sorted), an image digest, or a format-scoped product id. */
  readonly productKey: string;
  /** Components inside the product the statement is about (OpenVEX subcomponents). */
  readonly subcomponents: readonly string[];
  readonly status: VexStatus;
  readonly justification?: string;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  /** Statement time, else the document's (ISO 8601). */
  readonly timestamp: string;
}

export interface VexIssue {
  readonly level: 'error' | 'warning';
  readonly code:
    | 'MALFORMED_JSON'
    | 'SCHEMA_VIOLATION'
    | 'UNKNOWN_FORMAT'
    | 'DOCUMENT_TOO_LARGE'
    | 'UNRESOLVED_PRODUCT'
    | 'SIGNATURE_INVALID'
    | 'UNKNOWN_ISSUER';
  readonly document: string;
  readonly field?: string;
  readonly message: string;
}

export interface ParsedVexDocument {
  readonly format: VexFormat;
  /** The document's own id (OpenVEX @id, CSAF tracking.id, CycloneDX serialNumber), else its hash. */
  readonly documentId: string;
  /** Who the document says wrote it (OpenVEX author, CSAF publisher, CycloneDX manufacturer/supplier/author). */
  readonly author: string;
  readonly timestamp: string;
  readonly statements: readonly VexStatement[];
}
