import { defineStream } from '@stella/bus';

/**
 * The policy service's stream (`<prefix>.release.>`: `stella.release.risk_changed`). Never rename:
 * consumers (notify, console) bind to it by name.
 */
export const RELEASE_STREAM = defineStream({
  name: 'RELEASE',
  subjects: ['release.>'],
  maxAgeDays: 30,
  description: 'Release risk changes found by the policy service (re-evaluation without rescans)',
});

/** Streams owned by other services and consumed here: named (same name and subjects), never provisioned. */
export const ORCHESTRATOR_STREAM_REF = defineStream({
  name: 'ORCHESTRATOR',
  subjects: ['orchestrator.>'],
  maxAgeDays: 365,
});
export const ADVISORY_STREAM_REF = defineStream({ name: 'ADVISORY', subjects: ['advisory.>'], maxAgeDays: 7 });
export const VEX_STREAM_REF = defineStream({ name: 'VEX', subjects: ['vex.>'], maxAgeDays: 7 });
export const SCAN_STREAM_REF = defineStream({ name: 'SCAN', subjects: ['scan.>'], maxAgeDays: 30 });

/** Durable consumer names. Never rename: they key the inbox. */
export const CONSUMERS = {
  orchestrator: 'policy-orchestrator',
  advisory: 'policy-advisories',
  enrichment: 'policy-enrichments',
  vex: 'policy-vex',
  scan: 'policy-scans',
} as const;
