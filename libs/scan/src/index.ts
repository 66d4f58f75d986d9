import type * as AnalyzeLayerModule from './layers/analyze-layer';

export { scanImage, type ScanOptions, type ScanProgress } from './scan-image';
export { toCycloneDx, type SbomOptions } from './sbom/cyclonedx';
export { toSpdx3 } from './sbom/spdx';
export { SCANNER_VERSION } from './sbom/identity';
export { type LayerCache, InMemoryLayerCache, FileSystemLayerCache } from './cache';
export { ScanError, isScanError, REFUSAL_CODES, type ScanErrorCode } from './errors';
export { DEFAULT_SCAN_LIMITS, scanLimitsSchema, type ScanLimits, type ScanLimitsInput } from './limits';
export { parseImageSource } from './sources/parse-source';
export type { ImageSource, OpenedImage, LayerRef, ImageConfig } from './sources/image-source';
export type { AnalyzeLayerOptions } from './layers/analyze-layer';
/** Reads one layer tar (see layers/analyze-layer); its module (tar-stream, catalogers) is loaded on first call. */
export const analyzeLayer: typeof AnalyzeLayerModule.analyzeLayer = (...args) =>
  (require('./layers/analyze-layer') as typeof AnalyzeLayerModule).analyzeLayer(...args);
export {
  ANALYZER_VERSION,
  type ScanResult,
  type ScannedComponent,
  type ScannedRelationship,
  type ImageDescription,
  type ScanWarning,
  type LayerAnalysis,
  type Ecosystem,
  type OsRelease,
} from './model';
