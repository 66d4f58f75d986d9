import { z } from 'zod';
import { ANALYZER_VERSION, isLayerAnalysis, layerSchemas } from '../model';
import { isPackageJson, npmSchemas } from '../catalogers/npm';
import { imageSchemas, isImageConfig, isManifestOrIndex } from '../sources/image-source';
import { dockerManifestSchema, isDockerManifest } from '../sources/local-archives';
import type { Guard } from './guards';
import { safeParseChecked } from './lazy-zod';

const DIFF_ID = `sha256:${'a'.repeat(64)}`;

/** Every value reachable from `doc` changed in the ways a broken or hostile document could be. */
function* mutations(doc: unknown): Generator<unknown> {
  const replacements = (value: unknown): unknown[] => [
    undefined,
    null,
    '',
    'x',
    0,
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    [],
    {},
    [value],
    typeof value === 'string' ? `${value}!` : value,
  ];
  yield* replacements(doc);
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) {
      for (const changed of mutations(doc[i])) yield doc.map((v, j) => (j === i ? changed : v));
      yield doc.filter((_, j) => j !== i);
    }
  } else if (doc !== null && typeof doc === 'object') {
    const record = doc as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      for (const changed of mutations(record[key])) yield { ...record, [key]: changed };
      const { [key]: _removed, ...rest } = record;
      yield rest;
    }
    yield { ...record, extra: 'field' };
    yield JSON.parse(
      `{"__proto__": {"injected": true}, ${JSON.stringify(record).slice(1)}`.replace(', }', '}'),
    );
  }
}

/** The guard never accepts what zod refuses, and what it accepts zod returns unchanged. */
function expectFaithful(guard: Guard, schema: () => z.ZodType, valid: unknown[]): void {
  let accepted = 0;
  let refused = 0;
  for (const doc of valid) {
    expect(guard(doc)).toBe(true);
    for (const value of mutations(doc)) {
      const byZod = schema().safeParse(value);
      if (guard(value)) {
        accepted++;
        expect({ value, zod: byZod.success }).toEqual({ value, zod: true });
        expect(byZod.data).toEqual(value);
      } else refused++;
      // Whatever the guard says, the checked parse gives zod's answer.
      expect(safeParseChecked(value, guard, schema).success).toBe(byZod.success);
    }
  }
  expect(accepted).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
}

describe('plain guards mirror the zod schemas', () => {
  it('layer analyses, with every artifact kind', () => {
    const goModule = { path: 'golang.org/x/net', version: 'v0.1.0', sum: 'h1:x', replacedBy: { path: 'p' } };
    const analysis = {
      analyzerVersion: ANALYZER_VERSION,
      digest: DIFF_ID,
      diffId: DIFF_ID,
      entryCount: 3,
      uncompressedBytes: 1024,
      entries: [
        ['etc', 'd'],
        ['etc/os-release', 'f'],
        ['bin/sh', 'l', 'busybox'],
      ],
      whiteouts: ['old'],
      opaqueDirs: ['var/cache'],
      artifacts: [
        {
          kind: 'dpkg-status',
          path: 'var/lib/dpkg/status',
          packages: [{ name: 'bash', version: '5.2', architecture: 'amd64', depends: ['libc6'] }],
        },
        { kind: 'dpkg-files', path: 'var/lib/dpkg/info/bash.list', package: 'bash', files: ['/bin/bash'] },
        { kind: 'deb-copyright', path: 'usr/share/doc/bash/copyright', package: 'bash', licenses: ['GPL-3'] },
        {
          kind: 'apk-installed',
          path: 'lib/apk/db/installed',
          packages: [{ name: 'musl', version: '1.2', license: 'MIT', files: ['lib/ld-musl.so'] }],
        },
        {
          kind: 'rpmdb',
          path: 'var/lib/rpm/rpmdb.sqlite',
          packages: [{ name: 'glibc', version: '2.34', release: '1', epoch: 1, files: ['/lib64/libc.so.6'] }],
        },
        {
          kind: 'os-release',
          path: 'etc/os-release',
          release: { id: 'debian', versionId: '12', idLike: ['x'] },
        },
        {
          kind: 'npm-package',
          path: 'n/package.json',
          name: 'a',
          version: '1.0.0',
          private: true,
          projectRoot: true,
        },
        {
          kind: 'npm-lockfile',
          path: 'package-lock.json',
          packages: [{ name: 'a', version: '1.0.0', location: 'node_modules/a', license: 'MIT' }],
        },
        { kind: 'python-package', path: 'METADATA', name: 'pyyaml', version: '6.0', license: 'MIT' },
        {
          kind: 'java-archive',
          path: 'app.jar',
          packages: [{ artifactId: 'x', version: '1', archivePath: 'app.jar', evidence: 'pom.properties' }],
        },
        {
          kind: 'go-binary',
          path: 'bin/app',
          goVersion: 'go1.22.1',
          main: goModule,
          deps: [goModule],
          settings: [{ key: 'CGO_ENABLED', value: '0' }],
        },
        {
          kind: 'go-mod',
          path: 'go.mod',
          module: 'example.com/m',
          requirements: [{ path: 'golang.org/x/net', version: 'v0.1.0', indirect: true }],
        },
        { kind: 'go-sum', path: 'go.sum', modules: [{ path: 'golang.org/x/net', version: 'v0.1.0' }] },
        {
          kind: 'dotnet-deps',
          path: 'app.deps.json',
          packages: [{ name: 'Newtonsoft.Json', version: '13.0.1' }],
        },
      ],
      warnings: [{ code: 'W', message: 'm', path: 'p', layer: DIFF_ID }],
    };
    expectFaithful(isLayerAnalysis, () => layerSchemas().layerAnalysisSchema, [analysis]);
  });

  it('image configs, manifests and indexes', () => {
    const config = {
      created: '2024-01-02T03:04:05Z',
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
      config: { Env: ['PATH=/bin'] },
    };
    expectFaithful(isImageConfig, () => imageSchemas().imageConfigSchema, [config]);
    const descriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: DIFF_ID,
      size: 10,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      annotations: { 'org.opencontainers.image.ref.name': 'v1' },
    };
    expectFaithful(isManifestOrIndex, () => imageSchemas().manifestOrIndexSchema, [
      { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [descriptor] },
      { schemaVersion: 2, config: { digest: DIFF_ID, size: 1 }, layers: [descriptor] },
    ]);
  });

  it('docker-archive manifest.json files', () => {
    expectFaithful(isDockerManifest, dockerManifestSchema, [
      [{ Config: 'blobs/sha256/c', RepoTags: ['repo:v1'], Layers: ['blobs/sha256/l'] }],
      [{ Config: 'c.json', RepoTags: null, Layers: [] }],
    ]);
  });

  it('package.json files', () => {
    expectFaithful(isPackageJson, () => npmSchemas().packageJsonSchema, [
      { name: 'left-pad', version: '1.3.0', license: 'WTFPL', private: false, main: 'index.js' },
      { name: '@scope/x', version: '1.0.0', license: { type: 'MIT' }, licenses: [{ type: 'MIT' }, 'ISC'] },
      { name: 'x'.repeat(214), version: '1.0.0', licenses: { type: 'MIT', url: 'u' } },
    ]);
  });
});
