import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { goModNeedsGoSum } from './catalogers/go-mod';
import { normalizePythonName } from './catalogers/python';
import { combineLicenses, normalizeLicense, type NormalizedLicense } from './licenses';
import type {
  Artifact,
  Ecosystem,
  EntryType,
  LayerAnalysis,
  OsRelease,
  ScannedComponent,
  ScannedRelationship,
  ScanWarning,
} from './model';

interface FsNode {
  layer: number;
  type: EntryType;
  target?: string;
}

/**
 * The image's final file tree: layers applied in order, each layer's whiteouts and opaque
 * directories hiding what lower layers put there (OCI image spec, "Representing Changes").
 */
export class FileTree {
  readonly nodes = new Map<string, FsNode>();

  constructor(layers: readonly LayerAnalysis[]) {
    layers.forEach((layer, index) => {
      for (const dir of layer.opaqueDirs) this.removeChildren(dir);
      for (const path of layer.whiteouts) {
        this.nodes.delete(path);
        this.removeChildren(path);
      }
      for (const [path, type, target] of layer.entries) {
        // A file replacing a directory (or the reverse) hides what was below it.
        const previous = this.nodes.get(path);
        if (previous && previous.type === 'd' && type !== 'd') this.removeChildren(path);
        this.nodes.set(path, target === undefined ? { layer: index, type } : { layer: index, type, target });
      }
    });
  }

  private removeChildren(dir: string): void {
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const key of this.nodes.keys()) if (key.startsWith(prefix) && key !== dir) this.nodes.delete(key);
  }

  /** Follows symlinks in every component of `path` inside the image (never on the host). */
  resolve(path: string): string | undefined {
    let hops = 0;
    let parts = path.split('/').filter(Boolean);
    let resolved: string[] = [];
    while (parts.length > 0) {
      const part = parts.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const candidate = [...resolved, part].join('/');
      const node = this.nodes.get(candidate);
      if (node?.type === 'l' && node.target !== undefined) {
        if (++hops > 40) return undefined;
        const target = node.target;
        parts = [...target.split('/').filter(Boolean), ...parts];
        if (target.startsWith('/')) resolved = [];
        continue;
      }
      resolved.push(part);
    }
    return resolved.join('/');
  }

  exists(path: string): boolean {
    return this.nodes.has(path);
  }

  private implied: Set<string> | undefined;

  /** Whether a directory exists, listed or only implied by the paths under it (tars may omit directory entries). */
  hasDirectory(path: string): boolean {
    if (this.nodes.get(path)?.type === 'd') return true;
    if (!this.implied) {
      this.implied = new Set();
      for (const key of this.nodes.keys())
        for (let i = key.lastIndexOf('/'); i > 0; i = key.lastIndexOf('/', i - 1)) {
          const parent = key.slice(0, i);
          if (this.implied.has(parent)) break;
          this.implied.add(parent);
        }
    }
    return this.implied.has(path);
  }
}

export interface ResolvedComponents {
  components: ScannedComponent[];
  relationships: ScannedRelationship[];
  warnings: ScanWarning[];
  os?: OsRelease;
}

interface LocatedArtifact {
  layer: number;
  artifact: Artifact;
}

/** Turns the per-layer analyses of an image into its components and their relationships. */
export function resolveComponents(layers: readonly LayerAnalysis[]): ResolvedComponents {
  const tree = new FileTree(layers);
  const surviving: LocatedArtifact[] = [];
  layers.forEach((layer, index) => {
    for (const artifact of layer.artifacts)
      if (tree.nodes.get(artifact.path)?.layer === index) surviving.push({ layer: index, artifact });
  });
  // Diff ids, not blob digests: the same layer gets the same location whether it came compressed from a
  // registry or uncompressed from a docker archive.
  const layerDigest = (index: number) => layers[index]?.diffId ?? '';
  const byPath = new Map<string, LocatedArtifact[]>();
  for (const located of surviving) {
    const list = byPath.get(located.artifact.path);
    if (list) list.push(located);
    else byPath.set(located.artifact.path, [located]);
  }
  const find = <K extends Artifact['kind']>(
    kind: K,
    path: string,
  ): Extract<Artifact, { kind: K }> | undefined => {
    const real = tree.resolve(path);
    return real === undefined
      ? undefined
      : (byPath.get(real)?.find((l) => l.artifact.kind === kind)?.artifact as
          Extract<Artifact, { kind: K }> | undefined);
  };

  const os = (find('os-release', 'etc/os-release') ?? find('os-release', 'usr/lib/os-release'))?.release;
  const distro = os ? (os.versionId ? `${os.id}-${os.versionId}` : os.id) : undefined;

  const components = new Map<string, ScannedComponent>();
  const relationships: ScannedRelationship[] = [];
  const warnings: ScanWarning[] = [];
  const add = (component: Omit<ScannedComponent, 'id'>): ScannedComponent => {
    const id = componentId(component);
    const existing = components.get(id);
    if (existing) return existing;
    const full = { id, ...component };
    components.set(id, full);
    return full;
  };

  // OS packages: report the layer each package version first appeared in (and stayed), which is
  // the layer that installed it, rather than the last layer that rewrote the database.
  const introducedIn = firstLayerByPackage(layers);

  const dpkgFiles = new Map<string, string[]>();
  for (const { artifact } of surviving)
    if (artifact.kind === 'dpkg-files') dpkgFiles.set(artifact.package, artifact.files);

  for (const { layer, artifact } of surviving) {
    switch (artifact.kind) {
      case 'dpkg-status': {
        const namespace =
          os && ['debian', 'ubuntu'].includes(os.id)
            ? os.id
            : (os?.idLike?.find((l) => l === 'debian' || l === 'ubuntu') ?? 'debian');
        const byName = new Map<string, ScannedComponent>();
        for (const pkg of artifact.packages) {
          const qualifiers: Record<string, string> = {};
          if (pkg.architecture) qualifiers['arch'] = pkg.architecture;
          if (distro) qualifiers['distro'] = distro;
          if (pkg.source && pkg.source !== pkg.name) qualifiers['upstream'] = pkg.source;
          const copyright = find('deb-copyright', `usr/share/doc/${pkg.name}/copyright`);
          const properties: Record<string, string> = {};
          if (pkg.source) properties['deb:source'] = pkg.source;
          properties['deb:sourceVersion'] = pkg.sourceVersion ?? pkg.version;
          if (pkg.maintainer) properties['deb:maintainer'] = pkg.maintainer;
          const origin = introducedIn.get(`${artifact.path}\n${pkg.name}\n${pkg.version}`) ?? layer;
          const component = add({
            kind: 'os-package',
            ecosystem: 'deb',
            namespace,
            name: pkg.name,
            version: pkg.version,
            purl: purl('deb', namespace, pkg.name, pkg.version, qualifiers),
            ...licenseFields(copyright ? combineLicenses(copyright.licenses) : {}),
            location: { layerDigest: layerDigest(origin), path: `/${artifact.path}` },
            properties,
          });
          byName.set(pkg.name, component);
          for (const file of dpkgFiles.get(pkg.name) ?? []) {
            const node = tree.nodes.get(file);
            if (node && node.type !== 'd')
              relationships.push({ from: component.id, to: `/${file}`, type: 'owns-file' });
          }
        }
        for (const pkg of artifact.packages) {
          const from = byName.get(pkg.name);
          for (const dep of pkg.depends ?? []) {
            const to = byName.get(dep);
            if (from && to && to !== from)
              relationships.push({ from: from.id, to: to.id, type: 'depends-on' });
          }
        }
        break;
      }
      case 'apk-installed': {
        const byName = new Map<string, ScannedComponent>();
        for (const pkg of artifact.packages) {
          const qualifiers: Record<string, string> = {};
          if (pkg.architecture) qualifiers['arch'] = pkg.architecture;
          if (distro) qualifiers['distro'] = distro;
          if (pkg.origin && pkg.origin !== pkg.name) qualifiers['upstream'] = pkg.origin;
          const properties: Record<string, string> = {};
          if (pkg.origin) properties['apk:origin'] = pkg.origin;
          const namespace = os?.id ?? 'alpine';
          const origin = introducedIn.get(`${artifact.path}\n${pkg.name}\n${pkg.version}`) ?? layer;
          const component = add({
            kind: 'os-package',
            ecosystem: 'apk',
            namespace,
            name: pkg.name,
            version: pkg.version,
            purl: purl('apk', namespace, pkg.name, pkg.version, qualifiers),
            ...licenseFields(normalizeLicense(pkg.license)),
            location: { layerDigest: layerDigest(origin), path: `/${artifact.path}` },
            properties,
          });
          byName.set(pkg.name, component);
          for (const file of pkg.files)
            if (tree.exists(file))
              relationships.push({ from: component.id, to: `/${file}`, type: 'owns-file' });
        }
        break;
      }
      case 'rpmdb': {
        const namespace = os?.id ?? 'redhat';
        for (const pkg of artifact.packages) {
          const qualifiers: Record<string, string> = {};
          if (pkg.architecture) qualifiers['arch'] = pkg.architecture;
          if (pkg.epoch !== undefined) qualifiers['epoch'] = String(pkg.epoch);
          if (distro) qualifiers['distro'] = distro;
          const version = `${pkg.version}-${pkg.release}`;
          const properties: Record<string, string> = {};
          if (pkg.sourceRpm) properties['rpm:sourceRpm'] = pkg.sourceRpm;
          if (pkg.vendor) properties['rpm:vendor'] = pkg.vendor;
          const origin = introducedIn.get(`${artifact.path}\n${pkg.name}\n${version}`) ?? layer;
          const component = add({
            kind: 'os-package',
            ecosystem: 'rpm',
            namespace,
            name: pkg.name,
            version: pkg.epoch ? `${pkg.epoch}:${version}` : version,
            purl: purl('rpm', namespace, pkg.name, version, qualifiers),
            ...licenseFields(normalizeLicense(pkg.license)),
            location: { layerDigest: layerDigest(origin), path: `/${artifact.path}` },
            properties,
          });
          for (const file of pkg.files)
            if (tree.exists(file))
              relationships.push({ from: component.id, to: `/${file}`, type: 'owns-file' });
        }
        break;
      }
      case 'npm-package': {
        if (artifact.projectRoot) {
          // A package.json outside node_modules is an application only where npm installed or locked
          // its dependencies; elsewhere it is a fixture, a template or a build leftover.
          const dir = posix.dirname(artifact.path);
          const sibling = (name: string) => (dir === '.' ? name : `${dir}/${name}`);
          if (!tree.hasDirectory(sibling('node_modules')) && !tree.exists(sibling('package-lock.json')))
            break;
        }
        const { namespace, name } = splitNpmName(artifact.name);
        add({
          kind: 'library',
          ecosystem: 'npm',
          ...(namespace ? { namespace } : {}),
          name,
          version: artifact.version,
          purl: purl('npm', namespace, name, artifact.version),
          ...licenseFields(normalizeLicense(artifact.license)),
          location: { layerDigest: layerDigest(layer), path: `/${artifact.path}` },
          properties: artifact.projectRoot ? { 'npm:projectRoot': 'true' } : {},
        });
        break;
      }
      case 'npm-lockfile': {
        // A lockfile only says what would be installed; trust it only where nothing was.
        const dir = posix.dirname(artifact.path);
        if (tree.hasDirectory(dir === '.' ? 'node_modules' : `${dir}/node_modules`)) break;
        for (const pkg of artifact.packages) {
          const { namespace, name } = splitNpmName(pkg.name);
          add({
            kind: 'library',
            ecosystem: 'npm',
            ...(namespace ? { namespace } : {}),
            name,
            version: pkg.version,
            purl: purl('npm', namespace, name, pkg.version),
            ...licenseFields(normalizeLicense(pkg.license)),
            location: { layerDigest: layerDigest(layer), path: `/${artifact.path}` },
            properties: { 'npm:lockfileLocation': pkg.location },
          });
        }
        break;
      }
      case 'python-package':
        add({
          kind: 'library',
          ecosystem: 'pypi',
          name: artifact.name,
          version: artifact.version,
          purl: purl('pypi', undefined, normalizePythonName(artifact.name), artifact.version),
          ...licenseFields(normalizeLicense(artifact.license)),
          location: { layerDigest: layerDigest(layer), path: `/${artifact.path}` },
          properties: {},
        });
        break;
      case 'java-archive':
        for (const pkg of artifact.packages) {
          const properties: Record<string, string> = { 'java:evidence': pkg.evidence };
          if (pkg.archivePath !== artifact.path) properties['java:archivePath'] = `/${pkg.archivePath}`;
          add({
            kind: 'library',
            ecosystem: 'maven',
            ...(pkg.groupId ? { namespace: pkg.groupId } : {}),
            name: pkg.artifactId,
            version: pkg.version,
            purl: purl('maven', pkg.groupId, pkg.artifactId, pkg.version),
            ...licenseFields(normalizeLicense(pkg.license)),
            location: { layerDigest: layerDigest(layer), path: `/${artifact.path}` },
            properties,
          });
        }
        break;
      case 'go-binary': {
        const location = { layerDigest: layerDigest(layer), path: `/${artifact.path}` };
        const binaryProperties: Record<string, string> = { 'go:toolchain': artifact.goVersion };
        for (const { key, value } of artifact.settings)
          if (['GOOS', 'GOARCH', 'CGO_ENABLED', 'vcs.revision'].includes(key))
            binaryProperties[`go:build:${key}`] = value;
        const binary = add({
          kind: 'application',
          name: `/${artifact.path}`,
          version: artifact.main?.version && artifact.main.version !== '(devel)' ? artifact.main.version : '',
          location,
          properties: binaryProperties,
        });
        const modules = [
          ...(artifact.main ? [{ module: artifact.main, main: true }] : []),
          ...artifact.deps.map((module) => ({ module, main: false })),
        ];
        for (const { module, main } of modules) {
          const effective = module.replacedBy
            ? { path: module.replacedBy.path, version: module.replacedBy.version ?? module.version }
            : module;
          // Local replacements ("=> ../x") and unversioned main modules name no published module.
          if (
            !effective.version ||
            effective.version === '(devel)' ||
            effective.path.startsWith('.') ||
            effective.path.startsWith('/')
          )
            continue;
          const properties: Record<string, string> = main ? { 'go:mainModule': 'true' } : {};
          if (module.replacedBy) properties['go:replaces'] = module.path;
          const dep = addGo(effective.path, effective.version, location, properties);
          relationships.push({ from: binary.id, to: dep.id, type: 'contains' });
        }
        const stdlibVersion = /^go(\d+\.\d+(?:\.\d+)?)/.exec(artifact.goVersion)?.[1];
        if (stdlibVersion) {
          const stdlib = addGo('stdlib', `v${stdlibVersion}`, location, {
            'go:toolchain': artifact.goVersion,
          });
          relationships.push({ from: binary.id, to: stdlib.id, type: 'contains' });
        }
        break;
      }
      case 'go-mod': {
        const location = { layerDigest: layerDigest(layer), path: `/${artifact.path}` };
        const seen = new Set<string>();
        for (const requirement of artifact.requirements) {
          seen.add(requirement.path);
          addGo(
            requirement.path,
            requirement.version,
            location,
            requirement.indirect ? { 'go:indirect': 'true' } : {},
          );
        }
        if (goModNeedsGoSum(artifact.goVersion)) {
          const goSum = find('go-sum', `${posix.dirname(artifact.path)}/go.sum`.replace(/^\.\//, ''));
          for (const module of goSum?.modules ?? [])
            if (!seen.has(module.path))
              addGo(module.path, module.version, location, { 'go:indirect': 'true', 'go:fromGoSum': 'true' });
        }
        break;
      }
      case 'go-sum':
        break;
      case 'dotnet-deps':
        for (const pkg of artifact.packages)
          add({
            kind: 'library',
            ecosystem: 'nuget',
            name: pkg.name,
            version: pkg.version,
            purl: purl('nuget', undefined, pkg.name, pkg.version),
            location: { layerDigest: layerDigest(layer), path: `/${artifact.path}` },
            properties: pkg.sha512 ? { 'nuget:sha512': pkg.sha512 } : {},
          });
        break;
      case 'dpkg-files':
      case 'deb-copyright':
      case 'os-release':
        break;
    }
  }

  function addGo(
    path: string,
    version: string,
    location: ScannedComponent['location'],
    properties: Record<string, string>,
  ): ScannedComponent {
    const slash = path.lastIndexOf('/');
    const namespace = slash > 0 ? path.slice(0, slash) : undefined;
    const name = slash > 0 ? path.slice(slash + 1) : path;
    return add({
      kind: 'library',
      ecosystem: 'golang',
      ...(namespace ? { namespace } : {}),
      name,
      version,
      purl: purl('golang', namespace, name, version),
      location,
      properties,
    });
  }

  for (const layer of layers) warnings.push(...layer.warnings);
  const sortedComponents = [...components.values()].sort(compareComponents);
  const uniqueRelationships = new Map<string, ScannedRelationship>();
  for (const r of relationships) uniqueRelationships.set(`${r.type}\n${r.from}\n${r.to}`, r);
  const sortedRelationships = [...uniqueRelationships.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => r);
  const result: ResolvedComponents = {
    components: sortedComponents,
    relationships: sortedRelationships,
    warnings,
  };
  if (os) result.os = os;
  return result;
}

function firstLayerByPackage(layers: readonly LayerAnalysis[]): Map<string, number> {
  const first = new Map<string, number>();
  layers.forEach((layer, index) => {
    const present = new Set<string>();
    for (const artifact of layer.artifacts) {
      if (artifact.kind !== 'dpkg-status' && artifact.kind !== 'apk-installed' && artifact.kind !== 'rpmdb')
        continue;
      for (const pkg of artifact.packages) {
        const version = 'release' in pkg ? `${pkg.version}-${pkg.release}` : pkg.version;
        const key = `${artifact.path}\n${pkg.name}\n${version}`;
        present.add(key);
        if (!first.has(key)) first.set(key, index);
      }
    }
    // A database rewritten without the package drops it: a later reappearance starts anew.
    const rewritten = new Set(layer.artifacts.map((a) => a.path));
    for (const key of [...first.keys()])
      if (rewritten.has(key.split('\n')[0] ?? '') && !present.has(key)) first.delete(key);
  });
  return first;
}

function licenseFields(license: NormalizedLicense): Pick<ScannedComponent, 'license' | 'licenseDeclared'> {
  const fields: Pick<ScannedComponent, 'license' | 'licenseDeclared'> = {};
  if (license.expression) fields.license = license.expression;
  if (license.declared) fields.licenseDeclared = license.declared;
  return fields;
}

function splitNpmName(full: string): { namespace?: string; name: string } {
  if (full.startsWith('@') && full.includes('/')) {
    const slash = full.indexOf('/');
    return { namespace: full.slice(0, slash), name: full.slice(slash + 1) };
  }
  return { name: full };
}

function purl(
  type: Ecosystem,
  namespace: string | undefined,
  name: string,
  version: string,
  qualifiers?: Record<string, string>,
): string | undefined {
  try {
    const sorted =
      qualifiers && Object.keys(qualifiers).length > 0
        ? Object.fromEntries(Object.entries(qualifiers).sort(([a], [b]) => (a < b ? -1 : 1)))
        : undefined;
    return new PackageURL(type, namespace, name, version, sorted, undefined).toString();
  } catch {
    return undefined;
  }
}

function componentId(component: Omit<ScannedComponent, 'id'>): string {
  const key = [
    component.ecosystem ?? component.kind,
    component.purl ?? component.name,
    component.version,
    component.location.path,
    component.properties['java:archivePath'] ?? '',
  ].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}

function compareComponents(a: ScannedComponent, b: ScannedComponent): number {
  const ka = `${a.purl ?? `~${a.name}`}\n${a.location.path}\n${a.id}`;
  const kb = `${b.purl ?? `~${b.name}`}\n${b.location.path}\n${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
