import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMatch } from './match.command';

// Real advisories from ../shared/data (lodash's GHSA records and log4j-core/jackson-databind were
// withheld from that set; see libs/matching's done-means test).
const ADVISORIES = join(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'advisories');

// Each run reads the whole advisory set (about 22k records), a few seconds on a shared 2-core machine.
jest.setTimeout(60_000);

describe('stella match (offline)', () => {
  let dir: string;
  let sbom: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stella-match-'));
    sbom = join(dir, 'bom.json');
    await writeFile(
      sbom,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [
          { type: 'library', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' },
          {
            type: 'library',
            name: 'netty-codec-http',
            version: '4.1.50.Final',
            purl: 'pkg:maven/io.netty/netty-codec-http@4.1.50.Final',
          },
          {
            type: 'library',
            name: 'log4j-core',
            version: '2.14.1',
            purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
          },
          {
            type: 'library',
            name: 'jackson-databind',
            version: '2.9.8',
            purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8',
          },
          { type: 'operating-system', name: 'debian' },
        ],
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints a table with the fixed versions', async () => {
    const outcome = await runMatch({ sbom, advisories: ADVISORIES, format: 'table' });
    expect(outcome.exitCode).toBe(0);
    const lines = outcome.text.split('\n');
    expect(lines[0]).toMatch(/^COMPONENT\s+ADVISORY\s+SOURCE\s+ALIASES\s+SEVERITY\s+FIXED IN\s+KEV\s+EPSS$/);
    expect(lines.find((l) => l.includes('NSWG-ECO-516'))).toMatch(
      /^lodash@4\.17\.15\s+NSWG-ECO-516\s+\S+\s+MEDIUM 6\.3\s+4\.17\.19/,
    );
    expect(lines.find((l) => l.includes('GHSA-5mcr-gq6c-3hq2'))).toContain('4.1.59.Final');
    expect(outcome.text).toMatch(/3 finding\(s\) in 4 component\(s\)/);
  });

  it('writes JSON with findings and skipped components, and SARIF to a file', async () => {
    const json = JSON.parse((await runMatch({ sbom, advisories: ADVISORIES, format: 'json' })).text) as {
      findings: Array<{ advisoryId: string; fixedIn: string | null }>;
      skipped: Array<{ reason: string }>;
    };
    expect(json.findings.map((f) => [f.advisoryId, f.fixedIn])).toEqual([
      ['GHSA-5jpm-x58v-624v', '4.1.108.Final'],
      ['GHSA-5mcr-gq6c-3hq2', '4.1.59.Final'],
      ['NSWG-ECO-516', '4.17.19'],
    ]);
    expect(json.skipped).toEqual([expect.objectContaining({ reason: 'NO_PURL' })]);

    const output = join(dir, 'out.sarif');
    const outcome = await runMatch({
      sbom,
      advisories: ADVISORIES,
      format: 'sarif',
      output,
      failOn: 'medium',
    });
    expect(outcome).toEqual({ exitCode: 3, text: '' });
    const sarif = JSON.parse(await readFile(output, 'utf8')) as {
      version: string;
      runs: Array<{ results: unknown[] }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results).toHaveLength(3);
  });

  it('fails clearly on a file that is not a CycloneDX SBOM', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"spdxVersion": "SPDX-2.3"}');
    await expect(runMatch({ sbom: bad, advisories: ADVISORIES, format: 'json' })).rejects.toThrow(
      /not a CycloneDX JSON SBOM/,
    );
  });
});
