import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { z } from 'zod';
import type * as ScanLib from '@stella/scan';

export const SCAN_FORMATS = ['cyclonedx-json', 'spdx-json'] as const;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

export function buildScanOptionsSchema(zod: typeof import('zod').z) {
  return zod.strictObject({
    format: zod.enum(SCAN_FORMATS),
    output: zod.string().min(1).optional(),
    platform: zod.string().regex(PLATFORM, 'expected os/arch[/variant], e.g. linux/arm64').optional(),
    cache: zod.boolean(),
    cacheDir: zod.string().min(1).optional(),
    includeFiles: zod.boolean().optional(),
    insecureRegistry: zod.array(zod.string().min(1)).optional(),
    progress: zod.boolean(),
  });
}
export type ScanCommandOptions = z.infer<ReturnType<typeof buildScanOptionsSchema>>;

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'format',
  'output',
  'platform',
  'cache',
  'cacheDir',
  'includeFiles',
  'insecureRegistry',
  'progress',
]);
const nonEmpty = (value: unknown) => typeof value === 'string' && value.length > 0;

/**
 * The schema above, checked without zod: loading zod costs a separate `stella scan` process more
 * than a warm rescan's own work, and commander already gives the declared types (and --format only
 * among its choices). Accepts only what the schema accepts; anything else goes to zod, which
 * decides and words the error (scan.command.spec.ts holds the two together).
 */
export function acceptScanOptions(raw: Record<string, unknown>): raw is ScanCommandOptions {
  const { format, output, platform, cache, cacheDir, includeFiles, insecureRegistry, progress } = raw;
  return (
    Object.keys(raw).every((key) => OPTION_KEYS.has(key)) &&
    (SCAN_FORMATS as readonly unknown[]).includes(format) &&
    (output === undefined || nonEmpty(output)) &&
    (platform === undefined || (typeof platform === 'string' && PLATFORM.test(platform))) &&
    typeof cache === 'boolean' &&
    (cacheDir === undefined || nonEmpty(cacheDir)) &&
    (includeFiles === undefined || typeof includeFiles === 'boolean') &&
    (insecureRegistry === undefined ||
      (Array.isArray(insecureRegistry) && insecureRegistry.every(nonEmpty))) &&
    typeof progress === 'boolean'
  );
}

/** The options or the error message, as the zod schema gives them. */
export function parseScanOptions(
  raw: Record<string, unknown>,
): { success: true; data: ScanCommandOptions } | { success: false; message: string } {
  if (acceptScanOptions(raw)) return { success: true, data: raw };
  const { z: zod } = require('zod') as typeof import('zod');
  const parsed = buildScanOptionsSchema(zod).safeParse(raw);
  return parsed.success ? parsed : { success: false, message: zod.prettifyError(parsed.error) };
}

/** Where layer analyses are cached by default: under the CLI home (`STELLA_HOME`, default ~/.stella). */
function defaultCacheDir(): string {
  // Loaded lazily: a local scan must not pay for (or fail on) the rest of the CLI's configuration.
  const { loadCliConfig } = require('../cli-config') as typeof import('../cli-config');
  return join(loadCliConfig().home, 'cache', 'scan-layers');
}

/** One line on stderr, redrawn at most ~10 times a second, for terminals only. */
export function createProgressLine(stream: NodeJS.WriteStream): {
  update(progress: ScanLib.ScanProgress): void;
  clear(): void;
} {
  let last = 0;
  let drawn = false;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const draw = (text: string) => {
    stream.write(`\r\x1b[2K${text}`);
    drawn = true;
  };
  return {
    update(progress) {
      if (progress.phase === 'layer') {
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        const of = progress.size ? ` / ${mb(progress.size)}` : '';
        draw(
          `scanning layer ${progress.layerIndex + 1}/${progress.layerCount} ${progress.digest.slice(7, 19)}  ${mb(progress.bytesRead)}${of}`,
        );
      } else if (progress.phase === 'layer-done') {
        draw(
          `layer ${progress.layerIndex + 1}/${progress.layerCount} ${progress.cached ? 'from cache' : 'done'}`,
        );
      } else if (progress.phase === 'done') {
        this.clear();
      }
    },
    clear() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

export async function runScan(source: string, options: ScanCommandOptions): Promise<void> {
  const scan = require('@stella/scan') as typeof ScanLib;
  const progress = options.progress ? createProgressLine(process.stderr) : undefined;
  try {
    const result = await scan.scanImage(source, {
      ...(options.platform ? { platform: options.platform } : {}),
      ...(options.cache
        ? { layerCache: new scan.FileSystemLayerCache(options.cacheDir ?? defaultCacheDir()) }
        : {}),
      ...(options.insecureRegistry?.length ? { registry: { insecureHosts: options.insecureRegistry } } : {}),
      ...(progress ? { onProgress: (p: ScanLib.ScanProgress) => progress.update(p) } : {}),
    });
    const sbomOptions = { includeFiles: options.includeFiles ?? false };
    const bytes =
      options.format === 'spdx-json'
        ? scan.toSpdx3(result, sbomOptions)
        : scan.toCycloneDx(result, sbomOptions);
    if (options.output) {
      const temporary = `${options.output}.${process.pid}.tmp`;
      await writeFile(temporary, bytes);
      await rename(temporary, options.output);
      const counts = Object.entries(result.stats.componentsByEcosystem)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      process.stderr.write(
        `${result.components.length} components (${counts || 'none'}) -> ${options.output}\n`,
      );
    } else {
      process.stdout.write(bytes);
      process.stdout.write('\n');
    }
    for (const warning of result.warnings.slice(0, 20))
      process.stderr.write(`warning: ${warning.code}: ${warning.path ?? ''} ${warning.message}\n`);
    if (result.warnings.length > 20) process.stderr.write(`warning: ${result.warnings.length - 20} more\n`);
  } catch (error) {
    progress?.clear();
    if (scan.isScanError(error)) {
      process.stderr.write(`stella scan: ${error.code}: ${error.message}\n`);
      process.exitCode = scan.REFUSAL_CODES.includes(error.code) ? 3 : 1;
      return;
    }
    throw error;
  }
}

export function scanCommand(): Command {
  return new Command('scan')
    .description(
      'scan an image and write its SBOM; offline for local inputs (oci:<dir>, oci-archive:<tar>, docker-archive:<tar>)',
    )
    .argument(
      '<source>',
      'registry reference (repo:tag, repo@sha256:…), oci:<dir>[:tag], oci-archive:<tar>[:tag] or docker-archive:<tar>[:repo:tag]',
    )
    .addOption(
      new Option('--format <format>', 'SBOM format').choices([...SCAN_FORMATS]).default('cyclonedx-json'),
    )
    .option('-o, --output <file>', 'write the SBOM to a file instead of stdout')
    .option('--platform <os/arch>', 'platform to pick from a multi-platform image (default linux/amd64)')
    .option('--cache-dir <dir>', 'layer cache directory (default $STELLA_HOME/cache/scan-layers)')
    .option('--no-cache', 'do not read or write the layer cache')
    .option('--include-files', 'list the files each OS package owns in the SBOM')
    .option('--insecure-registry <host...>', 'registry hosts reachable over plain HTTP (loopback always is)')
    .action(async (source: string, raw: Record<string, unknown>) => {
      const parsed = parseScanOptions({ ...raw, progress: Boolean(process.stderr.isTTY) });
      if (!parsed.success) {
        process.stderr.write(`stella scan: invalid options: ${parsed.message}\n`);
        process.exitCode = 2;
        return;
      }
      await runScan(source, parsed.data);
    });
}
