import type { ScanRow } from './scans.repository';

/** The public shape of a scan (REST, gRPC and NATS replies). */
export function scanView(row: ScanRow) {
  return {
    scanId: row.scanId,
    status: row.status,
    image: `${row.repository}@${row.imageDigest}`,
    imageDigest: row.imageDigest,
    platform: row.platform,
    requestedRef: row.requestedRef,
    attempts: row.attempts,
    ...(row.platformDigest ? { platformDigest: row.platformDigest } : {}),
    ...(row.configDigest ? { configDigest: row.configDigest } : {}),
    ...(row.componentCount !== null ? { componentCount: row.componentCount } : {}),
    ...(row.sboms ? { sboms: row.sboms } : {}),
    ...(row.errorCode
      ? { error: { code: row.errorCode, message: row.errorMessage ?? '', refused: row.refused } }
      : {}),
    ...(row.scannerVersion ? { scannerVersion: row.scannerVersion } : {}),
    ...(row.analyzerVersion !== null ? { analyzerVersion: row.analyzerVersion } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.completedAt ? { completedAt: row.completedAt.toISOString() } : {}),
  };
}
export type ScanView = ReturnType<typeof scanView>;
