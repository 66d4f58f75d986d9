import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { parseApkInstalled } from '../catalogers/apk';
import {
  dpkgPackageFromListPath,
  parseDebianCopyright,
  parseDpkgFileList,
  parseDpkgStatus,
} from '../catalogers/dpkg';
import { parseDepsJson } from '../catalogers/dotnet';
import { GoBuildInfoScanner } from '../catalogers/go-buildinfo';
import { parseGoMod, parseGoSum } from '../catalogers/go-mod';
import { JavaArchiveError, parseJavaArchive } from '../catalogers/java';
import { parsePackageJson, parsePackageLock } from '../catalogers/npm';
import { parseOsRelease } from '../catalogers/os-release';
import { parsePythonMetadata } from '../catalogers/python';
import { parseRpmDb } from '../catalogers/rpm';
import { ScanError, isScanError } from '../errors';
import type { ScanLimits } from '../limits';
import { ANALYZER_VERSION, type Artifact, type LayerAnalysis, type ScanWarning } from '../model';
import { classifyPath, type Interest } from './classify';
import { MeteredStream, createDecompressor, detectCompression, peek } from './decompress';
import { normalizeEntryPath, normalizeHardLinkTarget, resolveLinkTarget } from './paths';

export interface AnalyzeLayerOptions {
  /** The digest the layer is known by (for errors and the result). */
  digest: string;
  /** sha256 of the uncompressed tar the image config promises; the layer is refused if it differs. */
  expectedDiffId?: string;
  /** sha256 of the bytes as read (compressed), when the source did not verify it already. */
  expectedCompressedDigest?: string;
  limits: ScanLimits;
  /** Entries still allowed in this image (maxEntries minus the layers before). */
  entryBudget: number;
  /** Uncompressed bytes still allowed in this image. */
  byteBudget: number;
  /** Called with the count of compressed bytes read so far. */
  onBytes?: (bytesRead: number) => void;
}

/** A tar entry's content stream (a streamx Readable). */
type EntryStream = AsyncIterable<unknown> & { resume(): unknown };

const OPAQUE = '.wh..wh..opq';
const WHITEOUT_PREFIX = '.wh.';

/**
 * Streams one layer (gzip, zstd or plain tar) through decompression and tar parsing without
 * touching the disk, refusing unsafe content, and returns what the image-level merge needs:
 * the entry list, whiteouts, and the parsed metadata catalogers asked for. File content is
 * only buffered for files a cataloger wants, within the configured limits.
 */
export async function analyzeLayer(source: Readable, options: AnalyzeLayerOptions): Promise<LayerAnalysis> {
  const { limits, digest } = options;
  const context = { layer: digest };
  const { head, stream } = await peek(source, 4);
  const compression = detectCompression(head);

  const compressed = new MeteredStream((bytes) => options.onBytes?.(bytes), {
    hash: options.expectedCompressedDigest !== undefined,
  });
  const uncompressed = new MeteredStream((bytes) => {
    if (bytes > limits.maxLayerBytes)
      throw new ScanError('TOO_LARGE', `layer inflates beyond ${limits.maxLayerBytes} bytes`, {
        ...context,
        limit: limits.maxLayerBytes,
      });
    if (bytes > options.byteBudget)
      throw new ScanError('TOO_LARGE', `image inflates beyond ${limits.maxImageBytes} bytes`, {
        ...context,
        limit: limits.maxImageBytes,
      });
    if (compression !== 'none' && bytes > limits.ratioCheckAfterBytes) {
      const ratio = bytes / Math.max(1, compressed.bytes);
      if (ratio > limits.maxCompressionRatio)
        throw new ScanError(
          'DECOMPRESSION_BOMB',
          `layer inflates ${Math.round(ratio)}x (limit ${limits.maxCompressionRatio}x)`,
          {
            ...context,
            ratio,
            compressedBytes: compressed.bytes,
            uncompressedBytes: bytes,
          },
        );
    }
  });
  const extract = tarStream.extract();
  const feeding = pipeline(stream, compressed, createDecompressor(compression), uncompressed, extract).then(
    () => undefined,
    (error: unknown) => error,
  );

  const analysis: LayerAnalysis = {
    analyzerVersion: ANALYZER_VERSION,
    digest,
    diffId: '',
    entryCount: 0,
    uncompressedBytes: 0,
    entries: [],
    whiteouts: [],
    opaqueDirs: [],
    artifacts: [],
    warnings: [],
  };
  const seen = new Map<string, 'f' | 'd' | 'l' | 'h'>();
  const artifactsByPath = new Map<string, Artifact[]>();
  const warn = (warning: Omit<ScanWarning, 'layer'>) => analysis.warnings.push({ ...warning, layer: digest });

  try {
    for await (const entry of extract) {
      analysis.entryCount++;
      if (analysis.entryCount > options.entryBudget)
        throw new ScanError('TOO_MANY_ENTRIES', `image has more than ${limits.maxEntries} entries`, {
          ...context,
          limit: limits.maxEntries,
        });
      const header = entry.header;
      const path = normalizeEntryPath(header.name, limits.maxPathLength, context);
      if (path === null) {
        entry.resume();
        continue;
      }
      const base = posix.basename(path);
      if (base.startsWith(WHITEOUT_PREFIX)) {
        const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
        if (base === OPAQUE) analysis.opaqueDirs.push(dir);
        else {
          const target = base.slice(WHITEOUT_PREFIX.length);
          if (target === '' || target === '.' || target === '..')
            throw new ScanError('UNSAFE_PATH', `whiteout names no file: ${header.name}`, {
              ...context,
              name: header.name,
            });
          analysis.whiteouts.push(dir ? `${dir}/${target}` : target);
        }
        entry.resume();
        continue;
      }
      switch (header.type) {
        case 'directory':
          analysis.entries.push([path, 'd']);
          seen.set(path, 'd');
          entry.resume();
          break;
        case 'symlink': {
          const target = header.linkname ?? '';
          resolveLinkTarget(path, target, context);
          analysis.entries.push([path, 'l', target]);
          seen.set(path, 'l');
          entry.resume();
          break;
        }
        case 'link': {
          const target = normalizeHardLinkTarget(path, header.linkname ?? '', limits.maxPathLength, context);
          const targetType = seen.get(target);
          if (targetType === undefined || targetType === 'd')
            throw new ScanError(
              'LINK_ESCAPE',
              `hard link to a file not in this layer: ${path} -> ${target}`,
              {
                ...context,
                path,
                target,
              },
            );
          analysis.entries.push([path, 'h', target]);
          seen.set(path, 'h');
          // Same content under another name: whatever was cataloged at the target applies here too.
          const interest = classifyPath(path, 0o755, Number.MAX_SAFE_INTEGER);
          for (const artifact of artifactsByPath.get(target) ?? []) {
            if (interest?.kind === artifact.kind) addArtifact({ ...artifact, path } as Artifact);
          }
          entry.resume();
          break;
        }
        case 'file':
        case 'contiguous-file': {
          analysis.entries.push([path, 'f']);
          seen.set(path, 'f');
          const interest = classifyPath(path, header.mode ?? 0, header.size ?? 0);
          if (!interest) {
            entry.resume();
            break;
          }
          await catalogFile(entry, path, header.size ?? 0, interest);
          break;
        }
        case 'character-device':
        case 'block-device':
          throw new ScanError('DEVICE_FILE', `device file in layer: ${path}`, {
            ...context,
            path,
            type: header.type,
          });
        case 'fifo':
          entry.resume();
          break;
        default:
          warn({ code: 'UNKNOWN_ENTRY_TYPE', message: `entry of type ${String(header.type)} ignored`, path });
          entry.resume();
      }
    }
  } catch (error) {
    extract.destroy();
    const streamError = await feeding;
    // A digest or limit failure upstream surfaces here as a truncated tar: report the real cause.
    throw isScanError(streamError) ? streamError : mapStreamError(error, context);
  }
  const streamError = await feeding;
  if (streamError) throw mapStreamError(streamError, context);

  analysis.uncompressedBytes = uncompressed.bytes;
  analysis.diffId = uncompressed.digest();
  if (options.expectedDiffId && analysis.diffId !== options.expectedDiffId)
    throw new ScanError(
      'DIGEST_MISMATCH',
      `layer content does not hash to the diff id the image config names`,
      {
        ...context,
        expected: options.expectedDiffId,
        actual: analysis.diffId,
      },
    );
  if (options.expectedCompressedDigest && compressed.digest() !== options.expectedCompressedDigest)
    throw new ScanError('DIGEST_MISMATCH', `layer blob does not hash to its digest`, {
      ...context,
      expected: options.expectedCompressedDigest,
      actual: compressed.digest(),
    });
  return analysis;

  function addArtifact(artifact: Artifact): void {
    analysis.artifacts.push(artifact);
    const list = artifactsByPath.get(artifact.path);
    if (list) list.push(artifact);
    else artifactsByPath.set(artifact.path, [artifact]);
  }

  async function catalogFile(
    entry: EntryStream,
    path: string,
    size: number,
    interest: Interest,
  ): Promise<void> {
    if (interest.kind === 'go-binary') {
      const scanner = new GoBuildInfoScanner();
      for await (const chunk of entry) if (!scanner.done) scanner.push(chunk as Buffer);
      const outcome = scanner.finish();
      if (outcome.kind === 'found') {
        const { info } = outcome;
        const artifact: Artifact = {
          kind: 'go-binary',
          path,
          goVersion: info.goVersion,
          deps: info.deps,
          settings: info.settings,
        };
        if (info.main) artifact.main = info.main;
        addArtifact(artifact);
      } else if (outcome.kind === 'pointer-format') {
        warn({
          code: 'GO_BUILDINFO_UNSUPPORTED',
          message: 'Go binary built before Go 1.18: module information not read',
          path,
        });
      }
      return;
    }
    const limit = interest.kind === 'java-archive' ? limits.maxArchiveBytes : limits.maxMetadataBytes;
    if (size > limit) {
      warn({
        code: 'FILE_TOO_LARGE',
        message: `${interest.kind} file of ${size} bytes exceeds ${limit}; not cataloged`,
        path,
      });
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const content = Buffer.concat(chunks);
    try {
      for (const artifact of await parseContent(path, content, interest)) addArtifact(artifact);
    } catch (error) {
      if (error instanceof ScanError) throw error;
      warn({ code: 'UNPARSABLE_METADATA', message: `${interest.kind}: ${(error as Error).message}`, path });
    }
  }

  async function parseContent(path: string, content: Buffer, interest: Interest): Promise<Artifact[]> {
    const text = () => content.toString('utf8');
    switch (interest.kind) {
      case 'dpkg-status':
        return [{ kind: 'dpkg-status', path, packages: parseDpkgStatus(text()) }];
      case 'dpkg-files':
        return [
          {
            kind: 'dpkg-files',
            path,
            package: dpkgPackageFromListPath(path),
            files: parseDpkgFileList(text()),
          },
        ];
      case 'deb-copyright': {
        const licenses = parseDebianCopyright(text());
        return licenses.length
          ? [{ kind: 'deb-copyright', path, package: path.split('/')[3] ?? '', licenses }]
          : [];
      }
      case 'apk-installed':
        return [{ kind: 'apk-installed', path, packages: parseApkInstalled(text()) }];
      case 'rpmdb': {
        const { packages, skipped } = await parseRpmDb(content);
        if (skipped)
          warn({
            code: 'RPM_HEADER_UNREADABLE',
            message: `${skipped} rpm header(s) could not be read`,
            path,
          });
        return [{ kind: 'rpmdb', path, packages }];
      }
      case 'os-release': {
        const release = parseOsRelease(text());
        return release ? [{ kind: 'os-release', path, release }] : [];
      }
      case 'npm-package':
      case 'npm-project': {
        const pkg = parsePackageJson(text());
        if (!pkg) return [];
        const artifact: Artifact = { kind: 'npm-package', path, name: pkg.name, version: pkg.version };
        if (interest.kind === 'npm-project') artifact.projectRoot = true;
        if (pkg.license) artifact.license = pkg.license;
        if (pkg.private) artifact.private = true;
        return [artifact];
      }
      case 'npm-lockfile':
        return [{ kind: 'npm-lockfile', path, packages: parsePackageLock(text()) }];
      case 'python-package': {
        const pkg = parsePythonMetadata(text());
        if (!pkg) return [];
        const artifact: Artifact = { kind: 'python-package', path, name: pkg.name, version: pkg.version };
        if (pkg.license) artifact.license = pkg.license;
        return [artifact];
      }
      case 'dotnet-deps':
        return [{ kind: 'dotnet-deps', path, packages: parseDepsJson(text()) }];
      case 'go-mod': {
        const { module, goVersion, requirements } = parseGoMod(text());
        return [
          {
            kind: 'go-mod',
            path,
            ...(module ? { module } : {}),
            ...(goVersion ? { goVersion } : {}),
            requirements,
          },
        ];
      }
      case 'go-sum': {
        const modules = parseGoSum(text());
        return modules.length ? [{ kind: 'go-sum', path, modules }] : [];
      }
      case 'java-archive':
        try {
          const packages = await parseJavaArchive(content, path, {
            maxArchiveBytes: limits.maxArchiveBytes,
            maxDepth: limits.maxArchiveDepth,
          });
          return packages.length ? [{ kind: 'java-archive', path, packages }] : [];
        } catch (error) {
          if (error instanceof JavaArchiveError) {
            warn({ code: 'UNREADABLE_ARCHIVE', message: error.message, path });
            return [];
          }
          throw error;
        }
      case 'go-binary':
        return [];
    }
  }
}

function mapStreamError(error: unknown, context: Record<string, unknown>): Error {
  if (isScanError(error)) return error;
  const err = error as NodeJS.ErrnoException & { code?: string; tamper?: boolean };
  if (err && typeof err === 'object' && err.code === 'DIGEST_MISMATCH')
    return new ScanError('DIGEST_MISMATCH', err.message, context, { cause: error });
  if (err && typeof err === 'object' && typeof err.code === 'string' && err.code.startsWith('Z_'))
    return new ScanError('CORRUPT_LAYER', `gzip stream is corrupt: ${err.message}`, context, {
      cause: error,
    });
  return new ScanError(
    'CORRUPT_LAYER',
    `layer is not a readable tar: ${(error as Error)?.message ?? String(error)}`,
    context,
    {
      cause: error,
    },
  );
}
