/** `_type` of an evidence packet manifest and of an audit pack manifest (never change their meaning). */
export const EVIDENCE_PACKET_V1 = 'https://stella-ops.dev/evidence-packet/v1';
export const AUDIT_PACK_V1 = 'https://stella-ops.dev/audit-pack/v1';
/** DSSE payloadType of the signed manifests. */
export const MANIFEST_PAYLOAD_TYPE = 'application/vnd.stella.evidence-manifest+json';

/** Where each part of a packet lives. */
export const PacketPaths = {
  manifest: 'manifest.json',
  manifestSignature: 'manifest.dsse.json',
  record: 'decision/record.json',
  envelope: 'decision/envelope.dsse.json',
  inputs: 'decision/inputs.json',
  releaseManifest: 'release/manifest.json',
  policyBundle: 'policy/bundle.json',
  /** The exact policy source the `policy` gate's evaluation ran (its compiled hash is the gate's `policy` evidence). */
  policySource: 'policy/source.yaml',
  /** The evaluation's canonical input document (its sha256 is the gate's `policy-input` evidence). */
  policyInput: 'policy/input.json',
  approvals: 'approvals/approvals.json',
  attestations: 'attestations/references.json',
  inclusionProof: 'log/inclusion-proof.json',
  checkpoint: 'log/checkpoint.txt',
  ca: 'certs/ca.pem',
  decisionSigner: 'certs/decision-signer.pem',
  manifestSigner: 'certs/manifest-signer.pem',
} as const;

export type FileRole =
  | 'decision-record'
  | 'decision-envelope'
  | 'decision-inputs'
  | 'release-manifest'
  | 'policy-bundle'
  | 'policy-gate'
  | 'policy-source'
  | 'policy-input'
  | 'gate-evidence'
  | 'approvals'
  | 'attestation-references'
  | 'inclusion-proof'
  | 'checkpoint'
  | 'certificate'
  | 'packet';

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
  role: string;
  /** For gate evidence: which gate and which of its evidence names the file holds. */
  gate?: string;
  evidence?: string;
}

export interface PacketManifest {
  _type: typeof EVIDENCE_PACKET_V1;
  tenant: string;
  decisionId: string;
  environment: string;
  verdict: 'allow' | 'deny';
  releaseManifestDigest: string;
  recordDigest: string;
  /** When the decision was signed and logged: the instant both certificate chains must be valid at. */
  signingTime: string;
  log: { origin: string; index: number; treeSize: number };
  files: ManifestFile[];
}

export interface AuditPackManifest {
  _type: typeof AUDIT_PACK_V1;
  tenant: string;
  environment: string;
  from: string;
  to: string;
  /** When the pack's manifest was signed: the instant its certificate chain must be valid at. */
  signingTime: string;
  decisions: Array<{ decisionId: string; evaluatedAt: string; verdict: 'allow' | 'deny'; packet: string; sha256: string }>;
  files: ManifestFile[];
}

export interface InclusionProofFile {
  logIndex: number;
  treeSize: number;
  /** Base64 of each proof hash, leaf to root. */
  hashes: string[];
}

// Validation by hand, not with a schema library: `stella verify` runs these on every start.
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

class Shape {
  readonly problems: string[] = [];
  constructor(private readonly value: Record<string, unknown>, private readonly at = '') {}

  static of(value: unknown, at = ''): Shape | string {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? new Shape(value as Record<string, unknown>, at) : `${at || '(root)'}: expected an object`;
  }

  private fail(key: string, message: string): void {
    this.problems.push(`${this.at}${key}: ${message}`);
  }

  string(key: string, pattern?: RegExp, optional = false): void {
    const v = this.value[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || v.length === 0) this.fail(key, 'expected a non-empty string');
    else if (pattern && !pattern.test(v)) this.fail(key, `does not match ${pattern.source}`);
  }

  oneOf(key: string, values: readonly string[]): void {
    if (!values.includes(this.value[key] as string)) this.fail(key, `expected one of ${values.join(', ')}`);
  }

  int(key: string, min: number): void {
    const v = this.value[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.fail(key, `expected an integer >= ${min}`);
  }

  array(key: string, each: (item: unknown, at: string) => string[]): void {
    const v = this.value[key];
    if (!Array.isArray(v)) return this.fail(key, 'expected an array');
    v.forEach((item, i) => this.problems.push(...each(item, `${this.at}${key}[${i}].`)));
  }

  object(key: string, check: (shape: Shape) => void): void {
    const shape = Shape.of(this.value[key], `${this.at}${key}.`);
    if (typeof shape === 'string') return void this.problems.push(shape);
    check(shape);
    this.problems.push(...shape.problems);
  }

  only(keys: readonly string[]): void {
    for (const key of Object.keys(this.value)) if (!keys.includes(key)) this.fail(key, 'unknown field');
  }
}

function fileProblems(item: unknown, at: string): string[] {
  const shape = Shape.of(item, at);
  if (typeof shape === 'string') return [shape];
  shape.string('path');
  shape.string('sha256', DIGEST);
  shape.int('size', 0);
  shape.string('role');
  shape.string('gate', undefined, true);
  shape.string('evidence', undefined, true);
  shape.only(['path', 'sha256', 'size', 'role', 'gate', 'evidence']);
  return shape.problems;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export function parsePacketManifest(value: unknown): Parsed<PacketManifest> {
  const shape = Shape.of(value);
  if (typeof shape === 'string') return { ok: false, problems: [shape] };
  shape.oneOf('_type', [EVIDENCE_PACKET_V1]);
  for (const key of ['tenant', 'decisionId', 'environment']) shape.string(key);
  shape.oneOf('verdict', ['allow', 'deny']);
  shape.string('releaseManifestDigest', DIGEST);
  shape.string('recordDigest', DIGEST);
  shape.string('signingTime', UTC);
  shape.object('log', (log) => {
    log.string('origin');
    log.int('index', 0);
    log.int('treeSize', 1);
    log.only(['origin', 'index', 'treeSize']);
  });
  shape.array('files', fileProblems);
  shape.only(['_type', 'tenant', 'decisionId', 'environment', 'verdict', 'releaseManifestDigest', 'recordDigest', 'signingTime', 'log', 'files']);
  return shape.problems.length === 0 ? { ok: true, value: value as PacketManifest } : { ok: false, problems: shape.problems };
}

export function parseAuditPackManifest(value: unknown): Parsed<AuditPackManifest> {
  const shape = Shape.of(value);
  if (typeof shape === 'string') return { ok: false, problems: [shape] };
  shape.oneOf('_type', [AUDIT_PACK_V1]);
  shape.string('tenant');
  shape.string('environment');
  for (const key of ['from', 'to', 'signingTime']) shape.string(key, UTC);
  shape.array('decisions', (item, at) => {
    const d = Shape.of(item, at);
    if (typeof d === 'string') return [d];
    d.string('decisionId');
    d.string('evaluatedAt', UTC);
    d.oneOf('verdict', ['allow', 'deny']);
    d.string('packet');
    d.string('sha256', DIGEST);
    d.only(['decisionId', 'evaluatedAt', 'verdict', 'packet', 'sha256']);
    return d.problems;
  });
  shape.array('files', fileProblems);
  shape.only(['_type', 'tenant', 'environment', 'from', 'to', 'signingTime', 'decisions', 'files']);
  return shape.problems.length === 0 ? { ok: true, value: value as AuditPackManifest } : { ok: false, problems: shape.problems };
}

export function parseInclusionProofFile(value: unknown): Parsed<InclusionProofFile> {
  const shape = Shape.of(value);
  if (typeof shape === 'string') return { ok: false, problems: [shape] };
  shape.int('logIndex', 0);
  shape.int('treeSize', 1);
  shape.array('hashes', (item, at) => (typeof item === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(item) ? [] : [`${at.slice(0, -1)}: expected the base64 of a 32-byte hash`]));
  shape.only(['logIndex', 'treeSize', 'hashes']);
  return shape.problems.length === 0 ? { ok: true, value: value as InclusionProofFile } : { ok: false, problems: shape.problems };
}

/** A file name for a gate's evidence: its index (evidence order) and a filesystem-safe slug of its name. */
export function evidencePath(gate: string, index: number, name: string): string {
  const slug = String(name).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'evidence';
  return `gates/${String(gate).replace(/[^a-z0-9-]+/g, '_')}/${String(index).padStart(2, '0')}-${slug}.json`;
}

export interface AttestationReference {
  attestationId: string;
  predicateType: string;
  subjectDigests: string[];
  envelopeDigest: string;
  logIndex: number;
}
