import type { z } from 'zod';
import {
  arrayOf,
  isBoolean,
  isCount,
  isInt,
  isString,
  literal,
  object,
  optional,
  taggedUnion,
  type Guard,
} from './validation/guards';
import { lazySchema } from './validation/lazy-zod';

/**
 * Bumped whenever per-layer analysis output changes meaning, so that cached analyses made by an
 * older scanner are ignored instead of silently mixing old and new cataloger behaviour.
 */
export const ANALYZER_VERSION = 4;

// ---- what one layer contributes (cacheable by layer digest) ---------------------------------

/** `f` regular file, `d` directory, `l` symlink (with target), `h` hard link (with target). */
export const ENTRY_TYPE_VALUES = ['f', 'd', 'l', 'h'] as const;
export type EntryType = (typeof ENTRY_TYPE_VALUES)[number];

/** One tar entry of a layer's file index: [path, type] or [path, type, link target]. */
export type LayerEntry = [string, EntryType] | [string, EntryType, string];
const ENTRY_TYPES: ReadonlySet<unknown> = new Set(ENTRY_TYPE_VALUES);

/**
 * A plain check rather than a zod union of tuples: a cached analysis holds one entry per file of
 * the layer (tens of thousands), and validating them element by element through zod cost more
 * than the rest of a warm scan.
 */
export function isLayerEntry(value: unknown): value is LayerEntry {
  return (
    Array.isArray(value) &&
    (value.length === 2 || (value.length === 3 && typeof value[2] === 'string')) &&
    typeof value[0] === 'string' &&
    ENTRY_TYPES.has(value[1])
  );
}

/** The zod schemas of a layer analysis (the source of truth; built on first use, see lazySchema). */
function buildLayerSchemas(z: typeof import('zod').z) {
  const dpkgPackage = z.strictObject({
    name: z.string(),
    version: z.string(),
    architecture: z.string().optional(),
    source: z.string().optional(),
    sourceVersion: z.string().optional(),
    maintainer: z.string().optional(),
    homepage: z.string().optional(),
    depends: z.array(z.string()).optional(),
  });

  const apkPackage = z.strictObject({
    name: z.string(),
    version: z.string(),
    architecture: z.string().optional(),
    origin: z.string().optional(),
    license: z.string().optional(),
    maintainer: z.string().optional(),
    url: z.string().optional(),
    depends: z.array(z.string()).optional(),
    files: z.array(z.string()),
  });

  const rpmPackage = z.strictObject({
    name: z.string(),
    version: z.string(),
    release: z.string(),
    epoch: z.number().int().optional(),
    architecture: z.string().optional(),
    license: z.string().optional(),
    sourceRpm: z.string().optional(),
    vendor: z.string().optional(),
    files: z.array(z.string()),
  });

  const osRelease = z.strictObject({
    id: z.string(),
    versionId: z.string().optional(),
    versionCodename: z.string().optional(),
    name: z.string().optional(),
    prettyName: z.string().optional(),
    idLike: z.array(z.string()).optional(),
  });

  const javaPackage = z.strictObject({
    groupId: z.string().optional(),
    artifactId: z.string(),
    version: z.string(),
    /** `outer.jar` for the archive itself, `outer.war!/WEB-INF/lib/x.jar` for nested ones. */
    archivePath: z.string(),
    /** Where the coordinates came from. */
    evidence: z.enum(['pom.properties', 'MANIFEST.MF', 'filename']),
    license: z.string().optional(),
  });

  const goModule = z.strictObject({
    path: z.string(),
    version: z.string(),
    sum: z.string().optional(),
    replacedBy: z.strictObject({ path: z.string(), version: z.string().optional() }).optional(),
  });

  /** Parsed metadata found at one path of one layer; what catalogers need, nothing more. */
  const artifactSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('dpkg-status'), path: z.string(), packages: z.array(dpkgPackage) }),
    z.strictObject({
      kind: z.literal('dpkg-files'),
      path: z.string(),
      package: z.string(),
      files: z.array(z.string()),
    }),
    z.strictObject({
      kind: z.literal('deb-copyright'),
      path: z.string(),
      package: z.string(),
      licenses: z.array(z.string()),
    }),
    z.strictObject({ kind: z.literal('apk-installed'), path: z.string(), packages: z.array(apkPackage) }),
    z.strictObject({ kind: z.literal('rpmdb'), path: z.string(), packages: z.array(rpmPackage) }),
    z.strictObject({ kind: z.literal('os-release'), path: z.string(), release: osRelease }),
    z.strictObject({
      kind: z.literal('npm-package'),
      path: z.string(),
      name: z.string(),
      version: z.string(),
      license: z.string().optional(),
      private: z.boolean().optional(),
      /** An application's package.json outside node_modules. */
      projectRoot: z.boolean().optional(),
    }),
    z.strictObject({
      kind: z.literal('npm-lockfile'),
      path: z.string(),
      packages: z.array(
        z.strictObject({
          name: z.string(),
          version: z.string(),
          location: z.string(),
          license: z.string().optional(),
        }),
      ),
    }),
    z.strictObject({
      kind: z.literal('python-package'),
      path: z.string(),
      name: z.string(),
      version: z.string(),
      license: z.string().optional(),
    }),
    z.strictObject({ kind: z.literal('java-archive'), path: z.string(), packages: z.array(javaPackage) }),
    z.strictObject({
      kind: z.literal('go-binary'),
      path: z.string(),
      goVersion: z.string(),
      main: goModule.optional(),
      deps: z.array(goModule),
      settings: z.array(z.strictObject({ key: z.string(), value: z.string() })),
    }),
    z.strictObject({
      kind: z.literal('go-mod'),
      path: z.string(),
      module: z.string().optional(),
      goVersion: z.string().optional(),
      requirements: z.array(
        z.strictObject({ path: z.string(), version: z.string(), indirect: z.boolean().optional() }),
      ),
    }),
    z.strictObject({
      kind: z.literal('go-sum'),
      path: z.string(),
      modules: z.array(z.strictObject({ path: z.string(), version: z.string() })),
    }),
    z.strictObject({
      kind: z.literal('dotnet-deps'),
      path: z.string(),
      packages: z.array(
        z.strictObject({ name: z.string(), version: z.string(), sha512: z.string().optional() }),
      ),
    }),
  ]);

  const scanWarningSchema = z.strictObject({
    code: z.string(),
    message: z.string(),
    path: z.string().optional(),
    layer: z.string().optional(),
  });

  const layerAnalysisSchema = z.strictObject({
    analyzerVersion: z.number().int(),
    /** Digest the layer is addressed by (the compressed blob digest, or the diff id for docker-archive). */
    digest: z.string(),
    /** sha256 of the uncompressed tar. */
    diffId: z.string(),
    entryCount: z.number().int().nonnegative(),
    uncompressedBytes: z.number().int().nonnegative(),
    /** Entries in tar order: [path, type] or [path, type, link target]. Paths are root-relative, no leading slash. */
    entries: z.custom<LayerEntry[]>(
      (value) => Array.isArray(value) && value.every(isLayerEntry),
      'expected [path, type] or [path, type, link target] entries',
    ),
    /** Paths deleted from lower layers (`.wh.<name>`). */
    whiteouts: z.array(z.string()),
    /** Directories whose lower-layer content is hidden (`.wh..wh..opq`). */
    opaqueDirs: z.array(z.string()),
    artifacts: z.array(artifactSchema),
    warnings: z.array(scanWarningSchema),
  });

  return {
    dpkgPackage,
    apkPackage,
    rpmPackage,
    osRelease,
    javaPackage,
    goModule,
    artifactSchema,
    scanWarningSchema,
    layerAnalysisSchema,
  };
}
export const layerSchemas = lazySchema(buildLayerSchemas);
type LayerSchemas = ReturnType<typeof buildLayerSchemas>;

export type DpkgPackage = z.infer<LayerSchemas['dpkgPackage']>;
export type ApkPackage = z.infer<LayerSchemas['apkPackage']>;
export type RpmPackage = z.infer<LayerSchemas['rpmPackage']>;
export type OsRelease = z.infer<LayerSchemas['osRelease']>;
export type JavaPackage = z.infer<LayerSchemas['javaPackage']>;
export type GoModule = z.infer<LayerSchemas['goModule']>;
/** Parsed metadata found at one path of one layer; what catalogers need, nothing more. */
export type Artifact = z.infer<LayerSchemas['artifactSchema']>;
export type ArtifactKind = Artifact['kind'];
export type ScanWarning = z.infer<LayerSchemas['scanWarningSchema']>;
export type LayerAnalysis = z.infer<LayerSchemas['layerAnalysisSchema']>;

// Plain mirrors of the schemas above, so that reading a cached analysis needs no zod (see
// safeParseChecked; guards.spec.ts holds them to the schemas).
const str = isString;
const optStr = optional(isString);
const strings = arrayOf(isString);
const dpkgPackageGuard = object(
  {
    name: str,
    version: str,
    architecture: optStr,
    source: optStr,
    sourceVersion: optStr,
    maintainer: optStr,
    homepage: optStr,
    depends: optional(strings),
  },
  'strict',
);
const apkPackageGuard = object(
  {
    name: str,
    version: str,
    architecture: optStr,
    origin: optStr,
    license: optStr,
    maintainer: optStr,
    url: optStr,
    depends: optional(strings),
    files: strings,
  },
  'strict',
);
const rpmPackageGuard = object(
  {
    name: str,
    version: str,
    release: str,
    epoch: optional(isInt),
    architecture: optStr,
    license: optStr,
    sourceRpm: optStr,
    vendor: optStr,
    files: strings,
  },
  'strict',
);
const osReleaseGuard = object(
  {
    id: str,
    versionId: optStr,
    versionCodename: optStr,
    name: optStr,
    prettyName: optStr,
    idLike: optional(strings),
  },
  'strict',
);
const javaPackageGuard = object(
  {
    groupId: optStr,
    artifactId: str,
    version: str,
    archivePath: str,
    evidence: literal('pom.properties', 'MANIFEST.MF', 'filename'),
    license: optStr,
  },
  'strict',
);
const goModuleGuard = object(
  {
    path: str,
    version: str,
    sum: optStr,
    replacedBy: optional(object({ path: str, version: optStr }, 'strict')),
  },
  'strict',
);
const artifact = (kind: string, shape: Record<string, Guard>): Guard =>
  object({ kind: literal(kind), path: str, ...shape }, 'strict');
const artifactGuard = taggedUnion('kind', {
  'dpkg-status': artifact('dpkg-status', { packages: arrayOf(dpkgPackageGuard) }),
  'dpkg-files': artifact('dpkg-files', { package: str, files: strings }),
  'deb-copyright': artifact('deb-copyright', { package: str, licenses: strings }),
  'apk-installed': artifact('apk-installed', { packages: arrayOf(apkPackageGuard) }),
  rpmdb: artifact('rpmdb', { packages: arrayOf(rpmPackageGuard) }),
  'os-release': artifact('os-release', { release: osReleaseGuard }),
  'npm-package': artifact('npm-package', {
    name: str,
    version: str,
    license: optStr,
    private: optional(isBoolean),
    projectRoot: optional(isBoolean),
  }),
  'npm-lockfile': artifact('npm-lockfile', {
    packages: arrayOf(object({ name: str, version: str, location: str, license: optStr }, 'strict')),
  }),
  'python-package': artifact('python-package', { name: str, version: str, license: optStr }),
  'java-archive': artifact('java-archive', { packages: arrayOf(javaPackageGuard) }),
  'go-binary': artifact('go-binary', {
    goVersion: str,
    main: optional(goModuleGuard),
    deps: arrayOf(goModuleGuard),
    settings: arrayOf(object({ key: str, value: str }, 'strict')),
  }),
  'go-mod': artifact('go-mod', {
    module: optStr,
    goVersion: optStr,
    requirements: arrayOf(object({ path: str, version: str, indirect: optional(isBoolean) }, 'strict')),
  }),
  'go-sum': artifact('go-sum', { modules: arrayOf(object({ path: str, version: str }, 'strict')) }),
  'dotnet-deps': artifact('dotnet-deps', {
    packages: arrayOf(object({ name: str, version: str, sha512: optStr }, 'strict')),
  }),
});
const scanWarningGuard = object({ code: str, message: str, path: optStr, layer: optStr }, 'strict');

/** Accepts only what `layerSchemas().layerAnalysisSchema` accepts (it may refuse more). */
export const isLayerAnalysis: Guard = object(
  {
    analyzerVersion: isInt,
    digest: str,
    diffId: str,
    entryCount: isCount,
    uncompressedBytes: isCount,
    entries: (value) => Array.isArray(value) && value.every(isLayerEntry),
    whiteouts: strings,
    opaqueDirs: strings,
    artifacts: arrayOf(artifactGuard),
    warnings: arrayOf(scanWarningGuard),
  },
  'strict',
);

// ---- the result of a scan ---------------------------------------------------------------------

export type Ecosystem = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'maven' | 'golang' | 'nuget';

export interface ScannedComponent {
  /** Stable within a result: derived from ecosystem, purl and location. */
  id: string;
  kind: 'os-package' | 'library' | 'application';
  ecosystem?: Ecosystem;
  name: string;
  /** Maven groupId, npm scope, Go module path prefix... as in the purl. */
  namespace?: string;
  version: string;
  purl?: string;
  /** SPDX licence expression when it could be established. */
  license?: string;
  /** The licence as declared, when it is not a valid SPDX expression. */
  licenseDeclared?: string;
  /** The layer's diff id and the path the component was found at. */
  location: { layerDigest: string; path: string };
  /** Extra facts, e.g. `deb:source`, `java:archivePath`, `go:toolchain`. Sorted by key on output. */
  properties: Record<string, string>;
}

export interface ScannedRelationship {
  from: string;
  /** Component ids, or file paths for `owns-file`. */
  to: string;
  type: 'contains' | 'owns-file' | 'depends-on';
}

export interface ImageDescription {
  /** The reference as the user gave it, when it names one (`registry/repo:tag`, archive tag). */
  name?: string;
  /** Digest of the image manifest that was scanned (the platform's manifest for an index); docker archives have none. */
  manifestDigest?: string;
  /** Digest of the index the manifest was selected from, if any. */
  indexDigest?: string;
  /** The image id: the same for the image in a registry, an OCI layout or a docker archive; SBOM ids derive from it. */
  configDigest: string;
  platform: { os: string; architecture: string; variant?: string };
  /** Image config `created`, used as the SBOM timestamp (never the wall clock). */
  created?: string;
  layers: { digest: string; diffId: string; size?: number; mediaType?: string }[];
  os?: OsRelease;
}

export interface ScanResult {
  image: ImageDescription;
  components: ScannedComponent[];
  relationships: ScannedRelationship[];
  warnings: ScanWarning[];
  stats: {
    layers: number;
    layersFromCache: number;
    entries: number;
    uncompressedBytes: number;
    componentsByEcosystem: Record<string, number>;
  };
}
