import type { PolicyInput, PolicyInputComponent, PolicyInputFinding, PolicyInputImage } from '../types';

export const T0 = '2026-11-20T12:00:00Z';
export const hex = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;

export function finding(over: Partial<PolicyInputFinding> = {}): PolicyInputFinding {
  return {
    id: 'CVE-2024-0001',
    aliases: [],
    purl: 'pkg:npm/lodash@4.17.20',
    installedVersion: '4.17.20',
    severity: 'high',
    cvss: 7.5,
    fixedVersions: ['4.17.21'],
    fixAvailable: true,
    kev: false,
    epss: 0.01,
    publishedAt: '2024-01-01T00:00:00Z',
    rangeEvaluable: true,
    ...over,
  };
}

export function component(over: Partial<PolicyInputComponent> = {}): PolicyInputComponent {
  return {
    purl: 'pkg:npm/lodash@4.17.20',
    name: 'lodash',
    version: '4.17.20',
    licenses: ['MIT'],
    identified: true,
    ...over,
  };
}

export function image(over: Partial<PolicyInputImage> = {}): PolicyInputImage {
  return {
    digest: hex('a'),
    name: 'api',
    sbom: { present: true, digest: hex('b'), scannedAt: '2026-11-19T12:00:00Z' },
    components: [component()],
    findings: [],
    attestations: [
      {
        predicateType: 'https://slsa.dev/provenance/v1',
        verified: true,
        signerKeyId: 'key-1',
        builderId: 'https://ci.example/builder',
      },
    ],
    ...over,
  };
}

export function input(over: Partial<PolicyInput> = {}): PolicyInput {
  return {
    schemaVersion: 'stella.policy.input/v1',
    evaluationTime: T0,
    release: { id: 'rel_1', name: 'shop', version: '1.0.0', manifestDigest: hex('c'), createdBy: 'alice' },
    environment: { name: 'prod' },
    images: [image()],
    approvals: [],
    exceptions: [],
    feedSnapshotId: 'feed_1',
    vexSnapshotId: 'vex_1',
    ...over,
  };
}

/** A policy document binding dev/stage/prod with the given gates in every environment. */
export function policyDoc(
  gates: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'stella.policy/v1',
    kind: 'Policy',
    metadata: { name: 'test', version: '1' },
    defaults: { gates },
    environments: { dev: {}, stage: {}, prod: {} },
    ...extra,
  };
}
