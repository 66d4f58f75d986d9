import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { scanImage } from '../scan-image';
import type { ScanResult } from '../model';
import { buildTar } from '../testing/fixtures';
import { memorySource } from '../testing/memory-source';
import { toCycloneDx } from './cyclonedx';
import { toSpdx3 } from './spdx';

// The official schemas, kept beside the repository in shared/data/schemas.
const schemas = resolve(__dirname, '../../../../../shared/data/schemas');
const loadJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(schemas, path), 'utf8')) as Record<string, unknown>;

function cycloneDxValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // ajv-formats has no IRI formats; an IRI reference is at least free of whitespace.
  ajv.addFormat('iri-reference', /^\S*$/);
  ajv.addFormat('idn-email', /^\S+@\S+$/);
  ajv.addSchema(loadJson('cyclonedx/spdx.schema.json'));
  ajv.addSchema(loadJson('cyclonedx/jsf-0.82.schema.json'));
  return ajv.compile(loadJson('cyclonedx/bom-1.6.schema.json'));
}

function spdxValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(loadJson('spdx-3.0.1/schema.json'));
}

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'catalogers', '__fixtures__', name));

async function sampleResult(): Promise<ScanResult> {
  const goBinary = Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46]),
    Buffer.alloc(1024 * 1024 - 4),
    fixture('skopeo.go-buildinfo.bin'),
    Buffer.alloc(64),
  ]);
  const base = await buildTar([
    { name: 'usr/lib/os-release', content: fixture('os-release') },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'var/lib/dpkg/status', content: fixture('dpkg-status') },
    { name: 'var/lib/dpkg/info/bash.list', content: fixture('bash.list') },
    { name: 'bin/bash', content: 'x' },
    { name: 'usr/share/doc/zlib1g/copyright', content: fixture('zlib1g.copyright') },
    { name: 'usr/share/doc/libc6/copyright', content: fixture('libc6.copyright') },
  ]);
  const app = await buildTar([
    { name: 'app/node_modules/yauzl/package.json', content: fixture('yauzl.package.json.txt') },
    {
      name: 'app/node_modules/@scope/odd/package.json',
      content: '{"name":"@scope/odd","version":"1.0.0","license":"SEE LICENSE IN LICENSE.txt"}',
    },
    {
      name: 'usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA',
      content: fixture('PyYAML-6.0.METADATA'),
    },
    { name: 'usr/share/java/slf4j-nop.jar', content: fixture('slf4j-nop-1.7.32.jar') },
    { name: 'usr/bin/skopeo', content: goBinary, mode: 0o755 },
    {
      name: 'app/app.deps.json',
      content: JSON.stringify({ libraries: { 'Newtonsoft.Json/13.0.3': { type: 'package' } } }),
    },
  ]);
  return scanImage(
    memorySource([base, app], { created: '2024-05-01T10:20:30.5Z', name: 'registry.example/team/app:1.0' }),
  );
}

describe('SBOM output', () => {
  let result: ScanResult;
  beforeAll(async () => {
    result = await sampleResult();
  });

  it('CycloneDX 1.6 is valid against the official schema and carries purls, licences, layers and the Go binary graph', () => {
    const bytes = toCycloneDx(result);
    const bom = JSON.parse(bytes.toString()) as {
      specVersion: string;
      serialNumber: string;
      metadata: { timestamp: string; component: { purl: string; type: string } };
      components: {
        'bom-ref': string;
        name: string;
        purl?: string;
        licenses?: unknown[];
        properties?: { name: string; value: string }[];
      }[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    const validate = cycloneDxValidator();
    expect(validate(bom) ? [] : validate.errors).toEqual([]);
    expect(bom.specVersion).toBe('1.6');
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(bom.metadata.timestamp).toBe('2024-05-01T10:20:30.000Z');
    expect(bom.metadata.component).toMatchObject({ type: 'container' });
    expect(bom.metadata.component.purl).toMatch(
      /^pkg:oci\/app@sha256%3A[0-9a-f]{64}\?arch=amd64&repository_url=registry.example%2Fteam%2Fapp&tag=1.0$/,
    );
    const purls = bom.components.map((c) => c.purl).filter(Boolean);
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:golang/stdlib@v1.19.8',
        'pkg:nuget/Newtonsoft.Json@13.0.3',
        'pkg:pypi/pyyaml@6.0',
        'pkg:npm/%40scope/odd@1.0.0',
      ]),
    );
    const zlib = bom.components.find((c) => c.name === 'zlib1g')!;
    expect(zlib.licenses).toEqual([{ license: { id: 'Zlib' } }]);
    expect(zlib.properties).toEqual(
      expect.arrayContaining([
        { name: 'stella:path', value: '/var/lib/dpkg/status' },
        { name: 'stella:layer:diffId', value: result.image.layers[0]!.diffId },
      ]),
    );
    const odd = bom.components.find((c) => c.name === 'odd')!;
    expect(odd.licenses).toEqual([{ license: { name: 'SEE LICENSE IN LICENSE.txt' } }]);
    const skopeo = bom.components.find((c) => c.name === '/usr/bin/skopeo')!;
    const stdlib = bom.components.find((c) => c.purl === 'pkg:golang/stdlib@v1.19.8')!;
    expect(bom.dependencies.find((d) => d.ref === skopeo['bom-ref'])?.dependsOn).toEqual([stdlib['bom-ref']]);
  });

  it('CycloneDX with owned files is still valid', () => {
    const bom = JSON.parse(toCycloneDx(result, { includeFiles: true }).toString()) as {
      components: { name: string; components?: { name: string; type: string }[] }[];
    };
    const validate = cycloneDxValidator();
    expect(validate(bom) ? [] : validate.errors).toEqual([]);
    expect(bom.components.find((c) => c.name === 'bash')?.components).toEqual([
      expect.objectContaining({ type: 'file', name: '/bin/bash' }),
    ]);
  });

  it('SPDX 3.0.1 JSON-LD is valid against the official schema', () => {
    for (const includeFiles of [false, true]) {
      const doc = JSON.parse(toSpdx3(result, { includeFiles }).toString()) as {
        '@context': string;
        '@graph': Record<string, unknown>[];
      };
      const validate = spdxValidator();
      expect(validate(doc) ? [] : validate.errors).toEqual([]);
      expect(doc['@context']).toBe('https://spdx.org/rdf/3.0.1/spdx-context.jsonld');
      const graph = doc['@graph'];
      expect(graph[0]).toMatchObject({
        type: 'CreationInfo',
        created: '2024-05-01T10:20:30Z',
        specVersion: '3.0.1',
      });
      const zlib = graph.find((n) => n['name'] === 'zlib1g')!;
      expect(zlib['software_packageUrl']).toMatch(/^pkg:deb\/debian\/zlib1g@1:1\.2\.13/);
      const licence = graph.find(
        (n) =>
          n['type'] === 'Relationship' &&
          n['relationshipType'] === 'hasDeclaredLicense' &&
          n['from'] === zlib['spdxId'],
      )!;
      const expression = graph.find((n) => n['spdxId'] === (licence['to'] as string[])[0]);
      expect(expression).toMatchObject({
        type: 'simplelicensing_LicenseExpression',
        simplelicensing_licenseExpression: 'Zlib',
      });
      const ids = graph.map((n) => n['spdxId']).filter(Boolean);
      expect(new Set(ids).size).toBe(ids.length);
      expect(graph.some((n) => n['type'] === 'software_File')).toBe(includeFiles);
    }
  });

  it('is deterministic: the same image gives the same bytes, scanned again', async () => {
    const again = await sampleResult();
    expect(toCycloneDx(again).equals(toCycloneDx(result))).toBe(true);
    expect(toSpdx3(again).equals(toSpdx3(result))).toBe(true);
  });

  it('uses the epoch when the image has no creation time', () => {
    const { created: _created, ...image } = result.image;
    const bom = JSON.parse(toCycloneDx({ ...result, image }).toString()) as {
      metadata: { timestamp: string };
    };
    expect(bom.metadata.timestamp).toBe('1970-01-01T00:00:00.000Z');
  });
});
