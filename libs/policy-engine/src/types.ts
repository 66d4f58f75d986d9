/**
 * The public types of the policy engine: the input document a policy is evaluated over
 * (`stella.policy.input/v1`, docs/reference/policy-input.md, docs/schemas/policy-input.v1.json),
 * the policy document (docs/reference/policy.md) and the verdict.
 *
 * Everything the engine needs is an input: there is no clock, no network and no file system in
 * here. The same policy and the same input give a byte-identical verdict (`verdictBytes`).
 */

/** Version of the evaluation semantics; recorded in every verdict. Bump on any behaviour change. */
export const POLICY_ENGINE_VERSION = 'stella-policy/1.0.0';
export const POLICY_INPUT_SCHEMA_VERSION = 'stella.policy.input/v1';
export const POLICY_VERDICT_SCHEMA_VERSION = 'stella.policy.verdict/v1';
export const POLICY_DOCUMENT_API_VERSION = 'stella.policy/v1';

// ---------------------------------------------------------------------------------------------
// Input document
// ---------------------------------------------------------------------------------------------

/** Severity levels, lowest to highest. `unknown`: no source scored the finding. */
export const SEVERITIES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FindingSeverity = Severity | 'unknown';

/**
 * VEX consensus status of a (vulnerability, product) pair as excititor computes it. `conflict`
 * (equally trusted issuers disagree) is never treated as a suppression.
 */
export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation' | 'conflict';

export type ReachabilityState = 'reachable' | 'unreachable' | 'unknown';

export interface PolicyInputVex {
  readonly status: VexStatus;
  readonly justification?: string;
  /** References to the statements the consensus used (document hashes or ids). */
  readonly statementRefs: readonly string[];
}

export interface PolicyInputReachability {
  readonly state: ReachabilityState;
  /** A reference to the evidence (call-graph digest, attestation). A downgrade needs it. */
  readonly evidenceRef?: string;
}

export interface PolicyInputFinding {
  /** Primary advisory id (CVE-…, GHSA-…, DSA-…). */
  readonly id: string;
  readonly aliases: readonly string[];
  /** The affected component's purl, version included. */
  readonly purl: string;
  readonly installedVersion: string;
  readonly severity: FindingSeverity;
  /** Highest CVSS base score, 0..10. */
  readonly cvss?: number;
  readonly fixedVersions: readonly string[];
  /** A fixed version above the installed one exists. */
  readonly fixAvailable: boolean;
  /** Listed in CISA KEV. */
  readonly kev: boolean;
  /** EPSS probability 0..1. */
  readonly epss?: number;
  /** Advisory publication time (ISO 8601 UTC); drives the grace period. */
  readonly publishedAt?: string;
  /** VEX consensus for this (vulnerability, product); absent: no statement at all. */
  readonly vex?: PolicyInputVex;
  readonly reachability?: PolicyInputReachability;
  /** False when the advisory's affected ranges could not be evaluated for the installed version. */
  readonly rangeEvaluable: boolean;
}

export interface PolicyInputComponent {
  readonly purl?: string;
  readonly name: string;
  readonly version?: string;
  /** SPDX licence expressions as the SBOM declares them. */
  readonly licenses?: readonly string[];
  /** False for binaries and files the scanner could not identify. */
  readonly identified: boolean;
}

export interface PolicyInputAttestation {
  /** in-toto predicate type, e.g. `https://slsa.dev/provenance/v1`. */
  readonly predicateType: string;
  /** DSSE signature verified against the trusted keys (libs/attest) by the caller. */
  readonly verified: boolean;
  readonly signerKeyId?: string;
  /** SLSA `runDetails.builder.id` (v1) or `builder.id` (v0.2). */
  readonly builderId?: string;
}

export interface PolicyInputSbom {
  readonly present: boolean;
  readonly digest?: string;
  /** When the SBOM was produced (ISO 8601 UTC); drives the scan-age gate. */
  readonly scannedAt?: string;
}

export interface PolicyInputImage {
  /** `sha256:<hex>` image manifest digest. */
  readonly digest: string;
  /** The release component this image is (e.g. `api`). */
  readonly name: string;
  readonly sbom: PolicyInputSbom;
  readonly components: readonly PolicyInputComponent[];
  readonly findings: readonly PolicyInputFinding[];
  readonly attestations: readonly PolicyInputAttestation[];
}

export interface PolicyInputApproval {
  readonly approver: string;
  readonly time: string;
  readonly comment?: string;
}

/**
 * A waiver: scoped to one vulnerability (id or alias), one component (purl with or without
 * version, or component name) and one environment; it stops applying at `expiresAt`. Refused at
 * validation without an expiry, without an approver, or approved by its own requester.
 */
export interface PolicyInputException {
  readonly id: string;
  readonly vulnerability: string;
  readonly component: string;
  readonly environment: string;
  readonly expiresAt: string;
  readonly requestedBy: string;
  readonly approvedBy: readonly string[];
  readonly reason?: string;
}

/** One finding of a release reduced to what the delta compares (see `releaseFindingSet`). */
export interface DeltaFinding {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly purl: string;
  readonly installedVersion: string;
  readonly severity: FindingSeverity;
  readonly fixAvailable: boolean;
  readonly kev: boolean;
  /** VEX consensus status, null without any statement. */
  readonly vex: VexStatus | null;
}

/** What is deployed in the target environment now, for the delta verdict. */
export interface PolicyBaseline {
  readonly releaseId: string;
  readonly findings: readonly DeltaFinding[];
  /** Purls of the deployed release's components (tells a new component from a new advisory). */
  readonly components?: readonly string[];
}

export interface PolicyInput {
  readonly schemaVersion: typeof POLICY_INPUT_SCHEMA_VERSION;
  /** The evaluation time, ISO 8601 UTC (`…Z`): the only clock the engine knows. */
  readonly evaluationTime: string;
  readonly release: {
    readonly id: string;
    readonly name: string;
    readonly version: string;
    readonly manifestDigest: string;
    readonly createdBy: string;
  };
  readonly environment: { readonly name: string };
  readonly images: readonly PolicyInputImage[];
  readonly approvals: readonly PolicyInputApproval[];
  readonly exceptions: readonly PolicyInputException[];
  /** Concelier feed snapshot the findings come from; null: intelligence unavailable (fail closed). */
  readonly feedSnapshotId: string | null;
  /** Excititor VEX snapshot; null: VEX unavailable (no VEX suppression, vulnerability gates pending). */
  readonly vexSnapshotId: string | null;
  /** The release deployed in the target environment; absent: nothing deployed, no delta. */
  readonly baseline?: PolicyBaseline;
}

// ---------------------------------------------------------------------------------------------
// Policy document (YAML)
// ---------------------------------------------------------------------------------------------

/** `block`: a failing gate denies. `warn`: it is reported as `warn` and does not block. */
export type GateAction = 'block' | 'warn';

export interface SeverityGateConfig {
  readonly action?: GateAction;
  /** Findings at or above this severity fail the gate. */
  readonly threshold: Severity;
  /** Findings with a CVSS base score at or above this fail the gate too. */
  readonly cvss?: number;
  /** Treat `unknown` severity as this level (default: not counted; it is an unknown instead). */
  readonly unknownSeverityAs?: Severity;
}
export interface KevGateConfig {
  readonly action?: GateAction;
}
export interface FixAvailableGateConfig {
  readonly action?: GateAction;
  /** Only findings at or above this severity (default `none`: every finding with a fix). */
  readonly minSeverity?: Severity;
}
export interface EpssGateConfig {
  readonly action?: GateAction;
  /** Findings with an EPSS probability at or above this (0..1) fail the gate. */
  readonly threshold: number;
}
export interface GracePeriodConfig {
  /** Advisories published less than this many days before the evaluation time do not block. */
  readonly days: number;
  /** KEV-listed findings get no grace (default true). */
  readonly exceptKev?: boolean;
}
export interface SbomGateConfig {
  readonly action?: GateAction;
}
export interface ScanAgeGateConfig {
  readonly action?: GateAction;
  readonly maxDays: number;
}
export interface SignatureGateConfig {
  readonly action?: GateAction;
  /** Predicate types that count (default: any). */
  readonly predicateTypes?: readonly string[];
  /** Only signatures by these key ids count (default: any verified signature). */
  readonly trustedKeyIds?: readonly string[];
}
export interface ProvenanceGateConfig {
  readonly action?: GateAction;
  readonly allowedBuilders: readonly string[];
  /** Default: SLSA provenance v1 and v0.2. */
  readonly predicateTypes?: readonly string[];
}
export interface LicenseGateConfig {
  readonly action?: GateAction;
  /** SPDX licence ids that must not be required by any component (e.g. `GPL-3.0-only`). */
  readonly deny: readonly string[];
}
export interface ReachabilityGateConfig {
  /** Severity an unreachable finding (with evidence) is counted at (default `low`). */
  readonly downgradeTo?: Severity;
}
export interface UnknownsGateConfig {
  readonly action?: GateAction;
  /** At most this many unknowns per release. */
  readonly budget: number;
}
export interface ApprovalsGateConfig {
  readonly action?: GateAction;
  /** Distinct approvers needed. */
  readonly min: number;
  /** The release's creator does not count as an approver (default true). */
  readonly excludeCreator?: boolean;
}

export interface GatesConfig {
  readonly severity?: SeverityGateConfig;
  readonly kev?: KevGateConfig;
  readonly fixAvailable?: FixAvailableGateConfig;
  readonly epss?: EpssGateConfig;
  readonly gracePeriod?: GracePeriodConfig;
  readonly sbom?: SbomGateConfig;
  readonly scanAge?: ScanAgeGateConfig;
  readonly signature?: SignatureGateConfig;
  readonly provenance?: ProvenanceGateConfig;
  readonly licenses?: LicenseGateConfig;
  readonly reachability?: ReachabilityGateConfig;
  readonly unknowns?: UnknownsGateConfig;
  readonly approvals?: ApprovalsGateConfig;
}

export type GateKind = keyof GatesConfig;
export const GATE_KINDS = [
  'sbom',
  'scanAge',
  'signature',
  'provenance',
  'severity',
  'kev',
  'fixAvailable',
  'epss',
  'gracePeriod',
  'reachability',
  'licenses',
  'unknowns',
  'approvals',
] as const satisfies readonly GateKind[];

export type RuleScope = 'release' | 'image' | 'finding';

interface RuleBase {
  readonly id: string;
  readonly description?: string;
  /** Shown when the rule fails. */
  readonly message?: string;
  readonly action?: GateAction;
  /** Environments the rule applies to (default: all the policy binds). */
  readonly environments?: readonly string[];
}

/** A CEL expression that must evaluate to `true` (docs/reference/policy.md lists variables and functions). */
export interface CelRuleSpec extends RuleBase {
  readonly language: 'cel';
  /** `release` (once), `image` (per image, var `image`) or `finding` (per counted finding, vars `finding`, `image`). */
  readonly scope?: RuleScope;
  readonly expression: string;
}

/** An OPA wasm module built by `opa build -t wasm -e <entrypoint>`; it gets the input document. */
export interface RegoRuleSpec extends RuleBase {
  readonly language: 'rego';
  readonly entrypoint: string;
  /** Exactly one: the wasm bytes in base64, or a path relative to the policy bundle. */
  readonly wasm: { readonly base64: string } | { readonly path: string };
  /** Optional `data` document for the module. */
  readonly data?: Record<string, unknown>;
}

export type RuleSpec = CelRuleSpec | RegoRuleSpec;

export interface EnvironmentPolicy {
  /** Gates for this environment; merged over `defaults.gates` gate by gate (`null` disables a default gate). */
  readonly gates?: { readonly [K in GateKind]?: GatesConfig[K] | null };
}

export interface PolicyDocument {
  readonly apiVersion: typeof POLICY_DOCUMENT_API_VERSION;
  readonly kind: 'Policy';
  readonly metadata: { readonly name: string; readonly version: string; readonly description?: string };
  readonly defaults?: { readonly gates?: GatesConfig };
  /** The environments the policy binds, by name. */
  readonly environments: Readonly<Record<string, EnvironmentPolicy>>;
  readonly rules?: readonly RuleSpec[];
}

export interface CompileOptions {
  /**
   * Files of the policy bundle, by path relative to the policy document (the caller reads them:
   * the engine does no I/O). Needed for rules with `wasm.path`.
   */
  readonly files?: Readonly<Record<string, Uint8Array>>;
}

/** A validated policy with its CEL rules planned and its OPA modules instantiated. Reusable. */
export interface CompiledPolicy {
  /** `sha256:<hex>` of the RFC 8785 canonical JSON of the parsed document. */
  readonly policyHash: string;
  readonly name: string;
  readonly version: string;
  /** Sorted names of the environments the policy binds. */
  readonly environments: readonly string[];
  readonly document: PolicyDocument;
}

// ---------------------------------------------------------------------------------------------
// Verdict
// ---------------------------------------------------------------------------------------------

export type VerdictDecision = 'allow' | 'deny' | 'pending';
export type GateOutcome = 'pass' | 'fail' | 'warn' | 'pending';
export type RuleOutcome = 'pass' | 'fail' | 'warn' | 'error';

export interface Suppression {
  /** Vulnerability id. */
  readonly finding: string;
  readonly purl: string;
  /** `vex`: consensus not_affected/fixed; `exception`: a waiver; `reachability`: downgraded; `grace`: new advisory. */
  readonly by: 'vex' | 'exception' | 'reachability' | 'grace';
  /** Statement refs, exception id, evidence ref, or the publication time. */
  readonly ref: string;
}

export interface GateResult {
  readonly id: GateKind;
  readonly outcome: GateOutcome;
  readonly action: GateAction;
  /** Human sentences; the first one is the gate's headline. */
  readonly reasons: readonly string[];
  /** Ids (vulnerabilities, image digests, purls) that caused the outcome, sorted. */
  readonly findings: readonly string[];
  readonly suppressed: readonly Suppression[];
}

export interface RuleResult {
  readonly id: string;
  readonly language: 'cel' | 'rego';
  readonly outcome: RuleOutcome;
  readonly message: string;
  /** What the rule failed on (finding ids / image digests), sorted. */
  readonly subjects: readonly string[];
}

export type UnknownKind =
  | 'component_without_purl'
  | 'component_without_version'
  | 'unidentified_binary'
  | 'range_not_evaluable'
  | 'finding_without_vex_or_fix'
  | 'license_unparseable'
  | 'severity_unknown';

export interface UnknownItem {
  readonly kind: UnknownKind;
  /** What it is about: a purl, a component name, `<vuln> <purl>`. */
  readonly ref: string;
  readonly why: string;
}

export type DeltaReason =
  | 'new_advisory'
  | 'new_component'
  | 'version_change'
  | 'component_removed'
  | 'advisory_withdrawn'
  | 'vex_flip'
  | 'severity_change'
  | 'fix_available'
  | 'kev_added'
  | 'kev_removed';

export interface DeltaEntry {
  readonly finding: string;
  readonly purl: string;
  readonly why: DeltaReason;
  readonly detail: string;
}

export interface Delta {
  readonly baselineReleaseId: string;
  readonly new: readonly DeltaEntry[];
  readonly fixed: readonly DeltaEntry[];
  readonly changed: readonly DeltaEntry[];
}

export interface AppliedException {
  readonly id: string;
  readonly vulnerability: string;
  readonly component: string;
  readonly expiresAt: string;
  readonly approvedBy: readonly string[];
  /** `<vuln> <purl>` pairs it suppressed, sorted. */
  readonly suppressed: readonly string[];
}

export interface PolicyVerdict {
  readonly schemaVersion: typeof POLICY_VERDICT_SCHEMA_VERSION;
  readonly engineVersion: typeof POLICY_ENGINE_VERSION;
  readonly policyHash: string;
  readonly policy: { readonly name: string; readonly version: string };
  /** `sha256:<hex>` of the canonical JSON of the input. */
  readonly inputDigest: string;
  readonly evaluationTime: string;
  readonly release: { readonly id: string; readonly manifestDigest: string };
  readonly environment: string;
  readonly verdict: VerdictDecision;
  /** One human line: `blocked: 2 critical vulnerabilities without a fix-or-VEX: CVE-…, CVE-…`. */
  readonly summary: string;
  /** In the order of GATE_KINDS; only the gates the environment enables. */
  readonly gates: readonly GateResult[];
  /** In the policy's rule order; only the rules that apply to the environment. */
  readonly rules: readonly RuleResult[];
  readonly unknowns: {
    readonly count: number;
    readonly budget: number | null;
    readonly items: readonly UnknownItem[];
  };
  /** Null when the input has no baseline (nothing deployed in the environment). */
  readonly delta: Delta | null;
  readonly exceptionsApplied: readonly AppliedException[];
  /** Exceptions in scope that no longer apply (expired before the evaluation time), by id. */
  readonly exceptionsExpired: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export type PolicyErrorCode =
  /** The policy is not YAML / JSON. */
  | 'POLICY_PARSE'
  /** The policy does not match the schema (unknown gate, wrong type, …). */
  | 'POLICY_SCHEMA'
  /** A CEL rule does not compile. */
  | 'CEL_COMPILE'
  /** An OPA wasm module cannot be loaded (bad bytes, missing file, unknown entrypoint). */
  | 'OPA_BUNDLE'
  /** The input document is invalid (schema, exception without expiry, self-approved exception). */
  | 'INPUT_SCHEMA'
  /** The policy does not bind the input's environment. */
  | 'ENVIRONMENT_UNBOUND';

export interface PolicyProblem {
  /** JSON-pointer-like path into the document (`rules/2/expression`, `images/0/digest`). */
  readonly path: string;
  readonly message: string;
}

// ---------------------------------------------------------------------------------------------
// The functions `index.ts` exports (their signatures, for code written against this API)
// ---------------------------------------------------------------------------------------------

/** Parses (YAML or JSON text, or an already parsed value), validates and compiles; throws PolicyError. */
export type CompilePolicy = (source: string | unknown, options?: CompileOptions) => CompiledPolicy;
/** Validates the input (throws PolicyError `INPUT_SCHEMA`) and evaluates it; pure and synchronous. */
export type EvaluatePolicy = (policy: CompiledPolicy, input: PolicyInput) => PolicyVerdict;
/** The RFC 8785 canonical JSON bytes of a verdict: what is hashed, signed and compared on replay. */
export type VerdictBytes = (verdict: PolicyVerdict) => Uint8Array;
/** `sha256:<hex>` of the canonical JSON of an input. */
export type InputDigest = (input: PolicyInput) => string;
/** The release-level finding set of an input (what a later evaluation's `baseline.findings` holds). */
export type ReleaseFindingSet = (input: PolicyInput) => DeltaFinding[];
/** Compares two finding sets. */
export type DiffFindings = (
  current: readonly DeltaFinding[],
  baseline: PolicyBaseline | readonly DeltaFinding[],
) => Omit<Delta, 'baselineReleaseId'>;
/** Validates an input document without evaluating it; throws PolicyError `INPUT_SCHEMA`. */
export type ValidatePolicyInput = (value: unknown) => PolicyInput;
