import type { Finding, MatchReport } from '../match/advisory-index';

const LEVELS: Record<string, 'error' | 'warning' | 'note'> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  NONE: 'note',
};

/**
 * SARIF 2.1.0 of a match report: one rule per advisory, one result per (component, advisory),
 * located at the SBOM with the component's purl as logical location.
 */
export function toSarif(
  report: MatchReport,
  options: { sbomUri: string; toolVersion: string },
): Record<string, unknown> {
  const rules = new Map<string, Finding>();
  for (const finding of report.findings)
    if (!rules.has(finding.advisoryId)) rules.set(finding.advisoryId, finding);
  const ruleIds = [...rules.keys()].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stella-match',
            version: options.toolVersion,
            informationUri: 'https://github.com/stella-ops',
            rules: ruleIds.map((id) => {
              const f = rules.get(id)!;
              return {
                id,
                shortDescription: { text: f.summary ?? id },
                properties: {
                  aliases: f.aliases,
                  source: f.source,
                  ...(f.severity.score !== null ? { 'security-severity': f.severity.score.toFixed(1) } : {}),
                  ...(f.cwes.length ? { cwes: f.cwes } : {}),
                },
              };
            }),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.advisoryId,
          ruleIndex: ruleIds.indexOf(f.advisoryId),
          level: f.severity.level ? LEVELS[f.severity.level] : 'warning',
          message: {
            text: `${f.component.purl} is affected by ${f.advisoryId}${f.aliases.length ? ` (${f.aliases.join(', ')})` : ''}; ${f.fixedIn ? `fixed in ${f.fixedIn}` : 'no fixed version known'}.`,
          },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: options.sbomUri } },
              logicalLocations: [{ fullyQualifiedName: f.component.purl, kind: 'package' }],
            },
          ],
          properties: {
            fixedIn: f.fixedIn,
            fixedVersions: f.fixedVersions,
            kev: f.kev !== null,
            ...(f.epss ? { epss: f.epss.epss, epssPercentile: f.epss.percentile } : {}),
          },
        })),
      },
    ],
  };
}
