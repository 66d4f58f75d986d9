import { Inject, Injectable } from '@nestjs/common';
import { digestOf } from '@stella/canonical';
import { buildEvent } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import { OutboxWriter } from '@stella/bus';
import {
  formatReference,
  isOciError,
  toReference,
  type ImageReference,
  type RegistryClient,
} from '@stella/oci';
import { STELLA_CONFIG, STELLA_DATA_SOURCE } from '@stella/platform';
import type { DataSource } from 'typeorm';
import {
  SCANNER_CLOCK,
  SCANNER_IDS,
  SCANNER_REGISTRY,
  type Clock,
  type IdGenerator,
} from '../../../common/ports';
import { ScannerError } from '../../../common/scanner-error';
import type { ScannerConfig } from '../../../config/scanner-config';
import { ScansRepository, type ScanRow } from '../../scans.repository';
import type { SubmitScanCommand } from './submit-scan.command';

export const SCANNER_EVENT_SOURCE = '/stella/scanner';

export interface SubmitScanResult {
  scan: ScanRow;
  /** A job was queued by this request (false: the digest was already scanned, queued or running). */
  queued: boolean;
}

/**
 * Submits an image: the tag is resolved to a digest once; a digest already scanned, queued or
 * running for the tenant and platform returns that scan and queues nothing (scan once per digest).
 * A new scan row and its `stella.scan.requested` job are written in one transaction (outbox).
 */
@Injectable()
export class SubmitScanUseCase {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ScannerConfig,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SCANNER_REGISTRY) private readonly registry: RegistryClient,
    @Inject(SCANNER_CLOCK) private readonly clock: Clock,
    @Inject(SCANNER_IDS) private readonly ids: IdGenerator,
    private readonly scans: ScansRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(command: SubmitScanCommand): Promise<SubmitScanResult> {
    const platform = command.platform ?? this.config.scannerDefaultPlatform;
    const requestHash = digestOf({ operation: 'scan.submit', image: command.image, platform });
    if (command.idempotencyKey !== undefined) {
      const replay = await this.replay(command.tenantId, command.idempotencyKey, requestHash);
      if (replay) return { scan: replay, queued: false };
    }
    const reference = parse(command.image);
    const digest = reference.digest ?? (await this.resolveTag(reference));
    const repository = formatReference({ registry: reference.registry, repository: reference.repository });
    const pinned = `${repository}@${digest}`;

    return withTransaction(this.dataSource, async (manager) => {
      const now = this.clock.now();
      const { row, created } = await this.scans.insertOrGet(manager, {
        scanId: this.ids.uuid(),
        tenantId: command.tenantId,
        imageDigest: digest,
        platform,
        repository,
        requestedRef: command.image,
        now,
      });
      let scan = row;
      let queued = created;
      if (!created && row.status === 'failed' && !row.refused) {
        // An earlier attempt gave up (registry down...): asking again queues it again.
        scan = (await this.scans.requeue(manager, command.tenantId, row.scanId, now)) ?? row;
        queued = scan.status === 'queued';
      }
      if (queued) {
        await this.outbox.enqueue(
          manager,
          buildEvent('stella.scan.requested', {
            source: SCANNER_EVENT_SOURCE,
            tenant: command.tenantId,
            subject: scan.scanId,
            time: now,
            data: {
              tenantId: command.tenantId,
              scanId: scan.scanId,
              image: pinned,
              imageDigest: digest,
              platform,
            },
          }),
        );
      }
      if (command.idempotencyKey !== undefined) {
        const claimed = await this.scans.claimIdempotencyKey(
          manager,
          command.tenantId,
          command.idempotencyKey,
          requestHash,
          scan.scanId,
          now,
        );
        if (!claimed)
          throw new ScannerError(
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key is being used by another request',
          );
      }
      return { scan, queued };
    });
  }

  private async replay(tenantId: string, key: string, requestHash: string): Promise<ScanRow | undefined> {
    const stored = await this.scans.findIdempotencyKey(this.dataSource.manager, tenantId, key);
    if (!stored) return undefined;
    if (stored.requestHash !== requestHash) {
      throw new ScannerError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for a different request; use a new key for a new request',
      );
    }
    return this.scans.byId(this.dataSource.manager, tenantId, stored.scanId);
  }

  private async resolveTag(reference: ImageReference): Promise<string> {
    try {
      return (await this.registry.resolve(reference)).digest;
    } catch (error) {
      if (isOciError(error)) {
        if (NOT_FOUND_CODES.has(error.code))
          throw new ScannerError('IMAGE_NOT_FOUND', `${formatReference(reference)}: ${error.message}`, {
            registryCode: error.code,
          });
        throw new ScannerError('REGISTRY_UNAVAILABLE', `${formatReference(reference)}: ${error.message}`, {
          registryCode: error.code,
        });
      }
      throw error;
    }
  }
}

const NOT_FOUND_CODES = new Set(['NOT_FOUND', 'MANIFEST_UNKNOWN', 'TAG_UNKNOWN', 'UNAUTHORIZED', 'DENIED']);

function parse(image: string): ImageReference {
  try {
    return toReference(image.replace(/^docker:\/\//, ''));
  } catch (error) {
    throw new ScannerError('INVALID_REQUEST', `invalid image reference: ${(error as Error).message}`, {
      errors: [{ path: 'image', message: (error as Error).message }],
    });
  }
}
