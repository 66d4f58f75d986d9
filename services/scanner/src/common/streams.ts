import { defineStream } from '@stella/bus';

/**
 * JetStream stream of the scan domain (`<prefix>.scan.>`): the work queue items
 * (`scan.requested`, consumed by the scanner's own workers) and the outcome events
 * (`scan.completed`, `scan.failed`). Never rename: consumers bind to it by name.
 */
export const SCAN_STREAM = defineStream({
  name: 'SCAN',
  subjects: ['scan.>'],
  maxAgeDays: 365,
  description: 'Scan jobs and scan outcomes from the scanner',
});

/** Durable work-queue consumer of scan jobs. Never rename: it keys the inbox and names the DLQ subject. */
export const SCAN_JOB_CONSUMER = 'scanner-jobs';
/** Subject (relative to the prefix) the job consumer is filtered to. */
export const SCAN_JOB_SUBJECT = 'scan.requested';
/** Core NATS request/reply subject (relative to the prefix) for CI submissions. Never rename. */
export const SCAN_SUBMIT_SUBJECT = 'scanner.submit';
