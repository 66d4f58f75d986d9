import type * as Yauzl from 'yauzl';
import type { JavaPackage } from '../model';

export const JAVA_ARCHIVE_PATTERN = /\.(jar|war|ear|jpi|hpi|par|sar|rar|nar|kar)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MAX_SMALL_ENTRY = 1024 * 1024;

export interface JavaArchiveOptions {
  maxArchiveBytes: number;
  maxDepth: number;
}

export class JavaArchiveError extends Error {}

/**
 * Maven coordinates in a Java archive, read from memory: every `pom.properties` (a shaded jar
 * carries one per embedded artifact), else `MANIFEST.MF`, else the file name. Nested archives
 * (`WEB-INF/lib/*.jar`, Spring Boot `BOOT-INF/lib/*.jar`, jars in an ear) are opened recursively
 * up to `maxDepth`; each is reported as `outer.war!/WEB-INF/lib/x.jar`.
 */
export async function parseJavaArchive(
  bytes: Buffer,
  archivePath: string,
  options: JavaArchiveOptions,
  depth = 0,
): Promise<JavaPackage[]> {
  const zip = await openZip(bytes);
  const poms: Record<string, string>[] = [];
  let manifest: Record<string, string> | undefined;
  const nested: JavaPackage[] = [];
  try {
    for await (const entry of entries(zip)) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (POM_PROPERTIES.test(name) && entry.uncompressedSize <= MAX_SMALL_ENTRY) {
        poms.push(parseProperties((await readEntry(zip, entry, MAX_SMALL_ENTRY)).toString('utf8')));
      } else if (name === 'META-INF/MANIFEST.MF' && entry.uncompressedSize <= MAX_SMALL_ENTRY) {
        manifest = parseManifest((await readEntry(zip, entry, MAX_SMALL_ENTRY)).toString('utf8'));
      } else if (
        JAVA_ARCHIVE_PATTERN.test(name) &&
        depth < options.maxDepth &&
        entry.uncompressedSize <= options.maxArchiveBytes
      ) {
        const inner = await readEntry(zip, entry, options.maxArchiveBytes);
        try {
          nested.push(...(await parseJavaArchive(inner, `${archivePath}!/${name}`, options, depth + 1)));
        } catch (error) {
          if (!(error instanceof JavaArchiveError)) throw error;
        }
      }
    }
  } finally {
    zip.close();
  }

  const own: JavaPackage[] = [];
  for (const pom of poms) {
    const artifactId = pom['artifactId'];
    const version = pom['version'];
    if (!artifactId || !version) continue;
    const pkg: JavaPackage = { artifactId, version, archivePath, evidence: 'pom.properties' };
    if (pom['groupId']) pkg.groupId = pom['groupId'];
    own.push(pkg);
  }
  if (own.length === 0) {
    const fromName = coordinatesFromFileName(archivePath);
    const version = fromName?.version ?? manifest?.['Implementation-Version'] ?? manifest?.['Bundle-Version'];
    // A versioned file name is the best evidence; otherwise the manifest's title beats a bare name.
    const artifactId = fromName?.version
      ? fromName.artifactId
      : (manifest?.['Implementation-Title'] ?? fromName?.artifactId);
    if (artifactId && version) {
      const pkg: JavaPackage = {
        artifactId,
        version,
        archivePath,
        evidence: fromName?.version ? 'filename' : 'MANIFEST.MF',
      };
      const groupId = groupFromManifest(manifest, artifactId);
      if (groupId) pkg.groupId = groupId;
      own.push(pkg);
    }
  }
  const license = manifest?.['Bundle-License'];
  if (license) for (const pkg of own) pkg.license = license.split(';')[0]?.trim() ?? license;
  return [...own, ...nested];
}

function groupFromManifest(
  manifest: Record<string, string> | undefined,
  artifactId: string,
): string | undefined {
  if (!manifest) return undefined;
  const vendorId = manifest['Implementation-Vendor-Id'];
  if (vendorId && /^[A-Za-z0-9_.-]+$/.test(vendorId)) return vendorId;
  const symbolic = manifest['Bundle-SymbolicName']?.split(';')[0]?.trim();
  // "org.apache.commons.commons-lang3" -> "org.apache.commons"
  if (symbolic && symbolic.endsWith(`.${artifactId}`)) return symbolic.slice(0, -artifactId.length - 1);
  return undefined;
}

/** `commons-lang3-3.12.0.jar` -> commons-lang3 / 3.12.0. */
export function coordinatesFromFileName(path: string): { artifactId: string; version?: string } | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(JAVA_ARCHIVE_PATTERN, '');
  if (!base) return undefined;
  const match = /^(.+?)-(\d[\w.+~-]*)$/.exec(base);
  return match?.[1] && match[2] ? { artifactId: match[1], version: match[2] } : { artifactId: base };
}

export function parseProperties(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (match?.[1]) result[match[1]] = match[2] ?? '';
  }
  return result;
}

/** MANIFEST.MF main section; continuation lines start with one space. */
export function parseManifest(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last) {
      result[last] += line.slice(1);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    result[last] = line.slice(colon + 1).trim();
  }
  return result;
}

function openZip(bytes: Buffer): Promise<Yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // Loaded with the first Java archive: images without one never need it.
    (require('yauzl') as typeof Yauzl).fromBuffer(
      bytes,
      { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false },
      (error, zip) => {
        if (error || !zip)
          reject(new JavaArchiveError(`not a readable zip archive: ${error?.message ?? 'unknown'}`));
        else resolve(zip);
      },
    );
  });
}

async function* entries(zip: Yauzl.ZipFile): AsyncGenerator<Yauzl.Entry> {
  for (;;) {
    const entry = await new Promise<Yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (e: Yauzl.Entry) => {
        cleanup();
        resolve(e);
      };
      const onEnd = () => {
        cleanup();
        resolve(undefined);
      };
      const onError = (e: Error) => {
        cleanup();
        reject(new JavaArchiveError(e.message));
      };
      const cleanup = () => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}

function readEntry(zip: Yauzl.ZipFile, entry: Yauzl.Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(new JavaArchiveError(`cannot read ${entry.fileName}: ${error?.message ?? 'unknown'}`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limit) {
          stream.destroy();
          reject(new JavaArchiveError(`${entry.fileName} is larger than ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (e) => reject(new JavaArchiveError(e.message)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}
