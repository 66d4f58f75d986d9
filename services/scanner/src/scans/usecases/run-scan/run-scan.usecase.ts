import { Inject, Injectable } from '@nestjs/common';
import {
  DLQ_HEADERS,
  OutboxWriter,
  deadLetterSubject,
  streamName,
  type Bus,
  type ConsumerContext,
} from '@stella/bus';
import { buildEvent, encodeEvent, type AnyCloudEvent, type ScanRequestedV1 } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import type { Logger } from '@stella/observability';
import { STELLA_BUS, STELLA_CONFIG, STELLA_DATA_SOURCE, STELLA_LOGGER } from '@stella/platform';
import {
  ANALYZER_VERSION,
  REFUSAL_CODES,
  SCANNER_VERSION,
  isScanError,
  toCycloneDx,
  toSpdx3,
} from '@stella/scan';
import { headers as natsHeaders } from 'nats';
import type { DataSource, EntityManager } from 'typeorm';
import { SCANNER_CLOCK, SCANNER_ENGINE, SCANNER_SBOM_STORE, type Clock } from '../../../common/ports';
import { SCAN_JOB_CONSUMER, SCAN_STREAM } from '../../../common/streams';
import type { ScannerConfig } from '../../../config/scanner-config';
import { SBOM_CONTENT_TYPES, sbomKey, type SbomStore } from '../../../storage/sbom-store';
import type { ScanEngine } from '../../scan-engine';
import { ScansRepository } from '../../scans.repository';
import { SCANNER_EVENT_SOURCE } from '../submit-scan/submit-scan.usecase';
import { indexRows } from './index-components';

interface Failure {
  code: string;
  message: string;
  refused: boolean;
}

function failureOf(error: unknown): Failure {
  if (isScanError(error)) {
    return {
      code: error.code,
      message: error.message.slice(0, 2000),
      refused: REFUSAL_CODES.includes(error.code),
    };
  }
  // Internal errors never leak their text into events: a generic message, the details in the log.
  return {
    code: 'INTERNAL',
    message: 'the scan failed with an internal error (see the scanner log)',
    refused: false,
  };
}

/**
 * Runs one scan job (`stella.scan.requested`) inside the work-queue consumer's inbox transaction:
 * scans the digest-pinned image, stores both SBOMs in S3, indexes the components and records
 * `stella.scan.completed`, all committed with the inbox row (exactly once per job).
 * Image content refused as unsafe is recorded as failed (`stella.scan.failed`, never retried) and
 * the job is dead-lettered at once with the refusal; other failures are retried with backoff and
 * recorded as failed when the last attempt fails (the consumer then dead-letters the job).
 */
@Injectable()
export class RunScanUseCase {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ScannerConfig,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(STELLA_BUS) private readonly bus: Bus,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(SCANNER_ENGINE) private readonly engine: ScanEngine,
    @Inject(SCANNER_SBOM_STORE) private readonly store: SbomStore,
    @Inject(SCANNER_CLOCK) private readonly clock: Clock,
    private readonly scans: ScansRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async handle(event: AnyCloudEvent, manager: EntityManager, context: ConsumerContext): Promise<void> {
    if (event.type !== 'stella.scan.requested') return;
    const job = event.data as ScanRequestedV1;
    const scan = await this.scans.byId(manager, job.tenantId, job.scanId);
    if (!scan || scan.status === 'completed' || (scan.status === 'failed' && scan.refused)) return;
    // Visible at once (outside the job's transaction): GET /scans/:id says "running".
    await this.scans.markRunning(this.dataSource.manager, job.tenantId, job.scanId, this.clock.now());

    let result;
    try {
      result = await this.engine.scan(job.image, job.platform);
    } catch (error) {
      const failure = failureOf(error);
      this.logger.warn(
        {
          scanId: job.scanId,
          image: job.image,
          code: failure.code,
          attempt: context.deliveryCount,
          err: error,
        },
        'scan failed',
      );
      if (failure.refused) {
        // Unsafe content does not become safe on retry: record it with this job and dead-letter now.
        await this.recordFailure(manager, job, failure, context.deliveryCount);
        await this.deadLetter(event, context, failure);
        return;
      }
      if (context.deliveryCount >= this.config.scannerMaxAttempts) {
        // The last attempt: record the failure on its own, then let the consumer dead-letter the job.
        await withTransaction(this.dataSource, (own) =>
          this.recordFailure(own, job, failure, context.deliveryCount),
        );
      }
      throw error;
    }

    const cyclonedx = toCycloneDx(result);
    const spdx = toSpdx3(result);
    const [storedCdx, storedSpdx] = await Promise.all([
      this.store.put(
        sbomKey(job.imageDigest, job.platform, 'cyclonedx-json'),
        cyclonedx,
        SBOM_CONTENT_TYPES['cyclonedx-json'],
      ),
      this.store.put(
        sbomKey(job.imageDigest, job.platform, 'spdx-json'),
        spdx,
        SBOM_CONTENT_TYPES['spdx-json'],
      ),
    ]);
    const rows = indexRows(result.components);
    await this.scans.indexComponents(manager, job.tenantId, job.scanId, job.imageDigest, rows);
    const now = this.clock.now();
    const platformDigest = result.image.manifestDigest ?? job.imageDigest;
    const sboms = { cyclonedx: storedCdx, spdx: storedSpdx };
    const completed = await this.scans.markCompleted(manager, job.tenantId, job.scanId, {
      platformDigest,
      configDigest: result.image.configDigest,
      sboms,
      componentCount: result.components.length,
      scannerVersion: SCANNER_VERSION,
      analyzerVersion: ANALYZER_VERSION,
      now,
    });
    if (!completed) return;
    await this.outbox.enqueue(
      manager,
      buildEvent('stella.scan.completed', {
        source: SCANNER_EVENT_SOURCE,
        tenant: job.tenantId,
        subject: job.imageDigest,
        time: now,
        data: {
          tenantId: job.tenantId,
          scanId: job.scanId,
          imageDigest: job.imageDigest,
          platformDigest,
          platform: job.platform,
          configDigest: result.image.configDigest,
          sboms,
          componentCount: result.components.length,
          scannerVersion: SCANNER_VERSION,
          analyzerVersion: ANALYZER_VERSION,
          completedAt: now.toISOString(),
        },
      }),
    );
    this.logger.info(
      {
        scanId: job.scanId,
        image: job.image,
        components: result.components.length,
        layersFromCache: result.stats.layersFromCache,
      },
      'scan completed',
    );
  }

  private async recordFailure(
    manager: EntityManager,
    job: ScanRequestedV1,
    failure: Failure,
    attempts: number,
  ): Promise<void> {
    const now = this.clock.now();
    const failed = await this.scans.markFailed(manager, job.tenantId, job.scanId, {
      ...failure,
      scannerVersion: SCANNER_VERSION,
      now,
    });
    if (!failed) return;
    await this.outbox.enqueue(
      manager,
      buildEvent('stella.scan.failed', {
        source: SCANNER_EVENT_SOURCE,
        tenant: job.tenantId,
        subject: job.imageDigest,
        time: now,
        data: {
          tenantId: job.tenantId,
          scanId: job.scanId,
          imageDigest: job.imageDigest,
          platform: job.platform,
          code: failure.code,
          message: failure.message,
          refused: failure.refused,
          attempts: Math.max(attempts, failed.attempts),
          scannerVersion: SCANNER_VERSION,
          failedAt: now.toISOString(),
        },
      }),
    );
  }

  /**
   * The job copied to `<prefix>.dlq.scanner-jobs` with the Stella-Dlq-* headers libs/bus writes
   * (same message id scheme, so a retried dead-lettering is dropped as a duplicate).
   */
  private async deadLetter(event: AnyCloudEvent, context: ConsumerContext, failure: Failure): Promise<void> {
    const stream = streamName(this.bus.prefix, SCAN_STREAM);
    const h = natsHeaders();
    h.set(DLQ_HEADERS.reason, 'handler_failed');
    h.set(DLQ_HEADERS.error, failure.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024));
    h.set(DLQ_HEADERS.errorCode, failure.code);
    h.set(DLQ_HEADERS.consumer, SCAN_JOB_CONSUMER);
    h.set(DLQ_HEADERS.stream, stream);
    h.set(DLQ_HEADERS.streamSeq, String(context.streamSeq));
    h.set(DLQ_HEADERS.subject, context.subject);
    h.set(DLQ_HEADERS.deliveries, String(context.deliveryCount));
    h.set(DLQ_HEADERS.eventId, event.id);
    await this.bus.js.publish(
      deadLetterSubject(this.bus.prefix, SCAN_JOB_CONSUMER),
      Buffer.from(encodeEvent(event)),
      {
        headers: h,
        msgID: `dlq:${SCAN_JOB_CONSUMER}:${stream}:${context.streamSeq}`,
      },
    );
  }
}
