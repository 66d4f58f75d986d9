import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildZip } from '../testing/fixtures';
import { parseApkInstalled } from './apk';
import { parseDepsJson } from './dotnet';
import { dpkgPackageFromListPath, parseDebianCopyright, parseDpkgFileList, parseDpkgStatus } from './dpkg';
import { GoBuildInfoScanner, parseModInfo } from './go-buildinfo';
import { goModNeedsGoSum, parseGoMod, parseGoSum } from './go-mod';
import { coordinatesFromFileName, parseJavaArchive } from './java';
import { parsePackageJson, parsePackageLock } from './npm';
import { parseOsRelease } from './os-release';
import { normalizePythonName, parsePythonMetadata } from './python';
import { parseRpmDb } from './rpm';

// Fixtures are copies of real files from a Debian bookworm machine (dpkg status entries, .list,
// copyright files, dist-info/egg-info metadata, node_modules package.json, jars from Debian's
// libslf4j-java / libaopalliance-java, the .go.buildinfo blob of Debian's skopeo).
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name));

describe('dpkg', () => {
  it('parses installed packages from a real status file, with source packages and dependencies', () => {
    const packages = parseDpkgStatus(fixture('dpkg-status').toString());
    expect(packages.map((p) => p.name).sort()).toEqual([
      'base-files',
      'bash',
      'libc6',
      'libgcc-s1',
      'zlib1g',
    ]);
    const libc = packages.find((p) => p.name === 'libc6');
    expect(libc).toMatchObject({ architecture: 'amd64', source: 'glibc' });
    expect(libc?.version).toMatch(/^2\.36-/);
    expect(libc?.depends).toContain('libgcc-s1');
    const zlib = packages.find((p) => p.name === 'zlib1g');
    expect(zlib?.version).toMatch(/^1:1\.2\.13/);
    expect(zlib?.source).toBe('zlib');
  });

  it('skips packages whose files are gone (config-files, not-installed)', () => {
    const text =
      'Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: b\nStatus: install ok installed\nVersion: 2\n\nPackage: c\nStatus: purge ok not-installed\nVersion: 3\n';
    expect(parseDpkgStatus(text).map((p) => p.name)).toEqual(['b']);
  });

  it('reads a distroless status.d entry (no Status field)', () => {
    expect(parseDpkgStatus('Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n')).toEqual([
      { name: 'tzdata', version: '2024a-0+deb12u1', architecture: 'all' },
    ]);
  });

  it('reads the files a package owns from its .list', () => {
    const files = parseDpkgFileList(fixture('bash.list').toString());
    expect(files).toContain('bin/bash');
    expect(files).not.toContain('');
    expect(dpkgPackageFromListPath('var/lib/dpkg/info/libc6:amd64.list')).toBe('libc6');
  });

  it('reads licences from DEP-5 and from common-licenses references', () => {
    expect(parseDebianCopyright(fixture('zlib1g.copyright').toString())).toEqual(['Zlib']);
    expect(parseDebianCopyright(fixture('libc6.copyright').toString())).toEqual(
      expect.arrayContaining(['GPL-2', 'LGPL-2.1']),
    );
  });
});

describe('apk', () => {
  it('parses /lib/apk/db/installed records with their files', () => {
    // The record layout of apk-tools' installed database (alpine 3.19 musl and busybox entries).
    const text = [
      'C:Q1Pa5yF6EYVf9Ew+5HnT0rL0vxtXs=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nS:407278\nI:667648\nT:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Timo Teräs <timo.teras@iki.fi>\nt:1701284542\nc:7a83848ddd0ef5e62a4bbe4a0b3ce8e8e1bd3fc1\np:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q1GFsqhuUHWCrSj0ugSSsqk2hL5Ag=\nR:libc.musl-x86_64.so.1\n',
      'P:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\nD:so:libc.musl-x86_64.so.1\nF:bin\nR:busybox\nF:etc\nR:securetty\n',
    ].join('\n');
    expect(parseApkInstalled(text)).toEqual([
      {
        name: 'musl',
        version: '1.2.4_git20230717-r4',
        architecture: 'x86_64',
        url: 'https://musl.libc.org/',
        license: 'MIT',
        origin: 'musl',
        maintainer: 'Timo Teräs <timo.teras@iki.fi>',
        files: ['lib/ld-musl-x86_64.so.1', 'lib/libc.musl-x86_64.so.1'],
      },
      {
        name: 'busybox',
        version: '1.36.1-r15',
        architecture: 'x86_64',
        license: 'GPL-2.0-only',
        origin: 'busybox',
        depends: ['so:libc.musl-x86_64.so.1'],
        files: ['bin/busybox', 'etc/securetty'],
      },
    ]);
  });
});

describe('os-release', () => {
  it('parses the machine’s own os-release', () => {
    const release = parseOsRelease(fixture('os-release').toString());
    expect(release).toMatchObject({ id: 'debian', versionId: '12', versionCodename: 'bookworm' });
  });
  it('handles quoting and returns undefined without ID', () => {
    expect(parseOsRelease('ID=\'alpine\'\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine \\"Linux\\""\n')).toEqual({
      id: 'alpine',
      versionId: '3.19.1',
      prettyName: 'Alpine "Linux"',
    });
    expect(parseOsRelease('NAME=x\n')).toBeUndefined();
  });
});

describe('npm', () => {
  it('reads a real node_modules package.json', () => {
    expect(parsePackageJson(fixture('yauzl.package.json.txt').toString())).toEqual({
      name: 'yauzl',
      version: expect.stringMatching(/^3\./),
      license: 'MIT',
    });
  });
  it('reads legacy licenses arrays and refuses manifests without name/version', () => {
    expect(
      parsePackageJson('{"name":"x","version":"1.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}')
        ?.license,
    ).toBe('(MIT OR Apache-2.0)');
    expect(parsePackageJson('{"name":"x"}')).toBeUndefined();
  });
  it('reads lockfile v3 packages without dev-only, linked or non-registry entries', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/zod': { version: '4.1.0', license: 'MIT' },
        'node_modules/@types/node': { version: '20.19.0', dev: true },
        'node_modules/a/node_modules/b': { version: '2.0.0' },
        'node_modules/local': { resolved: 'libs/local', link: true },
        'node_modules/gitdep': { version: 'git+ssh://git@example.invalid/x.git#abc' },
      },
    };
    expect(parsePackageLock(JSON.stringify(lock))).toEqual([
      { name: 'zod', version: '4.1.0', location: 'node_modules/zod', license: 'MIT' },
      { name: 'b', version: '2.0.0', location: 'node_modules/a/node_modules/b' },
    ]);
  });
  it('reads lockfile v1 dependency trees', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        a: { version: '1.0.0', dependencies: { b: { version: '2.0.0' } } },
        d: { version: '3.0.0', dev: true },
      },
    };
    expect(parsePackageLock(JSON.stringify(lock)).map((p) => `${p.name}@${p.version}`)).toEqual([
      'a@1.0.0',
      'b@2.0.0',
    ]);
  });
});

describe('python', () => {
  it('reads dist-info METADATA and egg-info PKG-INFO from Debian python3 packages', () => {
    expect(parsePythonMetadata(fixture('PyYAML-6.0.METADATA').toString())).toEqual({
      name: 'PyYAML',
      version: '6.0',
      license: 'MIT',
    });
    expect(parsePythonMetadata(fixture('PyJWT-2.6.0.PKG-INFO').toString())).toEqual({
      name: 'PyJWT',
      version: '2.6.0',
      license: 'MIT',
    });
    expect(normalizePythonName('Zope.Interface_x')).toBe('zope-interface-x');
  });
  it('prefers License-Expression, falls back to classifiers', () => {
    expect(
      parsePythonMetadata(
        'Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: whatever\n',
      )?.license,
    ).toBe('MIT OR Apache-2.0');
    expect(
      parsePythonMetadata(
        'Name: a\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\n',
      )?.license,
    ).toBe('BSD License');
  });
});

describe('java', () => {
  const options = { maxArchiveBytes: 16 * 1024 * 1024, maxDepth: 3 };

  it('reads pom.properties from a real jar', async () => {
    expect(
      await parseJavaArchive(fixture('slf4j-nop-1.7.32.jar'), 'usr/share/java/slf4j-nop.jar', options),
    ).toEqual([
      {
        groupId: 'org.slf4j',
        artifactId: 'slf4j-nop',
        version: '1.7.32',
        archivePath: 'usr/share/java/slf4j-nop.jar',
        evidence: 'pom.properties',
      },
    ]);
  });

  it('falls back to the file name for a jar without pom.properties', async () => {
    const packages = await parseJavaArchive(
      fixture('aopalliance-1.0.jar'),
      'usr/share/java/aopalliance-1.0.jar',
      options,
    );
    expect(packages).toEqual([
      expect.objectContaining({ artifactId: 'aopalliance', version: '1.0', evidence: 'filename' }),
    ]);
    expect(coordinatesFromFileName('x/commons-lang3-3.12.0.jar')).toEqual({
      artifactId: 'commons-lang3',
      version: '3.12.0',
    });
  });

  it('opens nested jars in a war, and reads MANIFEST.MF coordinates', async () => {
    const manifest = Buffer.from(
      'Manifest-Version: 1.0\r\nImplementation-Title: webapp\r\nImplementation-Version: 2.0\r\nImplementation-Vendor-Id: com.example\r\nBundle-License: https://www.apache.org/licenses/LICENSE-2.0.txt\r\n\r\n',
    );
    const war = buildZip([
      { name: 'META-INF/MANIFEST.MF', data: manifest },
      { name: 'WEB-INF/lib/slf4j-nop-1.7.32.jar', data: fixture('slf4j-nop-1.7.32.jar') },
      {
        name: 'WEB-INF/lib/inner.war',
        data: buildZip([{ name: 'lib/aopalliance-1.0.jar', data: fixture('aopalliance-1.0.jar') }]),
      },
    ]);
    const packages = await parseJavaArchive(war, 'srv/app.war', options);
    expect(packages).toEqual([
      {
        groupId: 'com.example',
        artifactId: 'webapp',
        version: '2.0',
        archivePath: 'srv/app.war',
        evidence: 'MANIFEST.MF',
        license: 'https://www.apache.org/licenses/LICENSE-2.0.txt',
      },
      {
        groupId: 'org.slf4j',
        artifactId: 'slf4j-nop',
        version: '1.7.32',
        archivePath: 'srv/app.war!/WEB-INF/lib/slf4j-nop-1.7.32.jar',
        evidence: 'pom.properties',
      },
      expect.objectContaining({
        artifactId: 'aopalliance',
        archivePath: 'srv/app.war!/WEB-INF/lib/inner.war!/lib/aopalliance-1.0.jar',
      }),
    ]);
    // Depth limit: nested archives beyond it are not opened.
    expect(await parseJavaArchive(war, 'srv/app.war', { ...options, maxDepth: 0 })).toHaveLength(1);
  });

  it('rejects something that is not a zip', async () => {
    await expect(parseJavaArchive(Buffer.from('not a zip'), 'x.jar', options)).rejects.toThrow(
      'not a readable zip',
    );
  });
});

describe('Go build info', () => {
  const elfHeader = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(57)]);

  function scan(binary: Buffer, chunkSize: number) {
    const scanner = new GoBuildInfoScanner();
    for (let at = 0; at < binary.length && !scanner.done; at += chunkSize)
      scanner.push(binary.subarray(at, at + chunkSize));
    return scanner.finish();
  }

  it('finds the inline build info of a real Go 1.19 binary (Debian skopeo) however it is chunked', () => {
    const blob = fixture('skopeo.go-buildinfo.bin');
    // The magic is also in cmd/go's rodata: an unaligned/garbled copy first must be skipped.
    const decoy = Buffer.concat([Buffer.from('\xff Go buildinf:', 'latin1'), Buffer.from([9, 9])]);
    const binary = Buffer.concat([
      elfHeader,
      Buffer.alloc(4096 - 64 - 3),
      decoy,
      Buffer.alloc(4096 * 2 - 4096 - decoy.length + 3),
      blob,
      Buffer.alloc(100),
    ]);
    expect(binary.indexOf(blob) % 16).toBe(0);
    for (const size of [7, 64, 4096, binary.length]) {
      const outcome = scan(binary, size);
      expect(outcome).toEqual({
        kind: 'found',
        info: expect.objectContaining({
          goVersion: 'go1.19.8',
          mainPackage: 'github.com/containers/skopeo/cmd/skopeo',
          deps: [],
        }),
      });
    }
  });

  it('parses module lines, replacements and build settings', () => {
    const info = parseModInfo(
      'path\tgithub.com/example/tool\nmod\tgithub.com/example/tool\tv1.4.0\th1:abc=\ndep\tgolang.org/x/sys\tv0.15.0\th1:def=\ndep\tgithub.com/old/lib\tv1.0.0\n=>\tgithub.com/new/lib\tv1.2.0\th1:ghi=\nbuild\tGOOS=linux\nbuild\t-ldflags="-s -w"\n',
    );
    expect(info).toEqual({
      mainPackage: 'github.com/example/tool',
      main: { path: 'github.com/example/tool', version: 'v1.4.0', sum: 'h1:abc=' },
      deps: [
        { path: 'golang.org/x/sys', version: 'v0.15.0', sum: 'h1:def=' },
        {
          path: 'github.com/old/lib',
          version: 'v1.0.0',
          replacedBy: { path: 'github.com/new/lib', version: 'v1.2.0' },
        },
      ],
      settings: [
        { key: 'GOOS', value: 'linux' },
        { key: '-ldflags', value: '"-s -w"' },
      ],
    });
  });

  it('gives up at once on non-ELF content and reports pre-1.18 pointer-format blobs', () => {
    expect(scan(Buffer.from('#!/bin/sh\necho hi\n'), 4)).toEqual({ kind: 'none' });
    const pointerBlob = Buffer.concat([
      Buffer.from('\xff Go buildinf:', 'latin1'),
      Buffer.from([8, 0]),
      Buffer.alloc(16),
    ]);
    expect(scan(Buffer.concat([elfHeader, Buffer.alloc(64), pointerBlob]), 32)).toEqual({
      kind: 'pointer-format',
    });
  });

  (existsSync('/usr/bin/skopeo') ? it : it.skip)('streams a whole real binary', () => {
    const outcome = scan(readFileSync('/usr/bin/skopeo'), 65536);
    expect(outcome.kind).toBe('found');
  });
});

describe('.NET', () => {
  it('reads package libraries from deps.json', () => {
    const deps = {
      runtimeTarget: { name: '.NETCoreApp,Version=v8.0' },
      libraries: {
        'app/1.0.0': { type: 'project', serviceable: false, sha512: '' },
        'Newtonsoft.Json/13.0.3': {
          type: 'package',
          serviceable: true,
          sha512: 'sha512-HrC5BXdl',
          path: 'newtonsoft.json/13.0.3',
        },
        'System.Runtime/4.3.0': { type: 'reference' },
      },
    };
    expect(parseDepsJson(JSON.stringify(deps))).toEqual([
      { name: 'Newtonsoft.Json', version: '13.0.3', sha512: 'sha512-HrC5BXdl' },
    ]);
  });
});

const hasRpmbuild = existsSync('/usr/bin/rpmbuild') && existsSync('/usr/bin/rpm');
(hasRpmbuild ? describe : describe.skip)('rpm (database made by the real rpm tool)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-rpm-'));
    mkdirSync(join(dir, 'SPECS'));
    writeFileSync(
      join(dir, 'SPECS', 'hello.spec'),
      [
        'Name: stella-hello',
        'Version: 1.2.3',
        'Release: 4.el9',
        'Epoch: 2',
        'Summary: test',
        'License: GPL-2.0-or-later AND MIT',
        'BuildArch: noarch',
        '%description',
        'test',
        '%install',
        'mkdir -p %{buildroot}/usr/share/stella-hello',
        'echo hi > %{buildroot}/usr/share/stella-hello/readme.txt',
        '%files',
        '/usr/share/stella-hello/readme.txt',
        '',
      ].join('\n'),
    );
    execFileSync(
      'rpmbuild',
      [
        '-bb',
        '--define',
        `_topdir ${dir}`,
        '--define',
        `_dbpath ${dir}/build-db`,
        join(dir, 'SPECS', 'hello.spec'),
      ],
      { stdio: 'ignore' },
    );
    const rpmFile = join(dir, 'RPMS', 'noarch', readdirSync(join(dir, 'RPMS', 'noarch'))[0]!);
    execFileSync('rpm', ['--dbpath', join(dir, 'db'), '--define', '_db_backend sqlite', '--initdb'], {
      stdio: 'ignore',
    });
    execFileSync(
      'rpm',
      [
        '-i',
        '--nodeps',
        '--justdb',
        '--noscripts',
        '--dbpath',
        join(dir, 'db'),
        '--define',
        '_db_backend sqlite',
        rpmFile,
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads name, epoch, version, release, arch, licence, source rpm and files from header blobs', async () => {
    const { packages, skipped } = await parseRpmDb(readFileSync(join(dir, 'db', 'rpmdb.sqlite')));
    expect(skipped).toBe(0);
    expect(packages).toEqual([
      {
        name: 'stella-hello',
        version: '1.2.3',
        release: '4.el9',
        epoch: 2,
        architecture: 'noarch',
        license: 'GPL-2.0-or-later AND MIT',
        sourceRpm: 'stella-hello-1.2.3-4.el9.src.rpm',
        files: ['usr/share/stella-hello/readme.txt'],
      },
    ]);
  });
});

describe('go.mod', () => {
  it('reads the requirements of the Go 1.19 toolchain’s real cmd/go.mod', () => {
    const { module, requirements } = parseGoMod(fixture('go-1.19-cmd.go.mod.txt').toString());
    expect(module).toBe('cmd');
    expect(requirements).toContainEqual({
      path: 'golang.org/x/mod',
      version: 'v0.6.0-dev.0.20220419223038-86c51ed26bb4',
    });
    expect(requirements).toContainEqual({
      path: 'github.com/ianlancetaylor/demangle',
      version: 'v0.0.0-20220319035150-800ac71e25c2',
      indirect: true,
    });
  });

  it('applies replace directives and drops local replacements', () => {
    const text =
      'module example.com/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v1.1.0 // indirect\n)\nrequire github.com/e/f v2.0.0+incompatible\n\nreplace github.com/a/b => github.com/fork/b v1.0.1\nreplace github.com/c/d => ../d\nexclude (\n\tgithub.com/x/y v0.1.0\n)\n';
    expect(parseGoMod(text)).toEqual({
      module: 'example.com/app',
      goVersion: '1.21',
      requirements: [
        { path: 'github.com/fork/b', version: 'v1.0.1' },
        { path: 'github.com/e/f', version: 'v2.0.0+incompatible' },
      ],
    });
  });
});

describe('go.sum (for go.mod files older than Go 1.17)', () => {
  it('takes only modules whose content was downloaded, from a real go.sum of the Go 1.19 sources', () => {
    const goMod = parseGoMod(fixture('go-1.19-edwards25519-asm.go.mod.txt').toString());
    expect(goMod).toEqual({
      module: 'asm',
      goVersion: '1.16',
      requirements: [{ path: 'github.com/mmcloughlin/avo', version: 'v0.2.0' }],
    });
    expect(goModNeedsGoSum(goMod.goVersion)).toBe(true);
    expect(goModNeedsGoSum('1.17')).toBe(false);
    expect(goModNeedsGoSum('1.21.3')).toBe(false);
    const modules = parseGoSum(fixture('go-1.19-edwards25519-asm.go.sum.txt').toString());
    expect(modules.map((m) => `${m.path}@${m.version}`).sort()).toEqual([
      'github.com/mmcloughlin/avo@v0.2.0',
      'golang.org/x/mod@v0.3.0',
      'golang.org/x/sys@v0.0.0-20210403161142-5e06dd20ab57',
      'golang.org/x/tools@v0.1.0',
      'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1',
    ]);
  });
});
