import { z } from 'zod';
import { MatchingError } from '../errors';

export interface SbomComponent {
  readonly purl: string;
  readonly name: string;
  readonly version?: string;
  readonly bomRef?: string;
}

export interface SkippedComponent {
  readonly bomRef?: string;
  readonly name?: string;
  readonly reason: 'NO_PURL' | 'INVALID_PURL' | 'UNKNOWN_ECOSYSTEM' | 'DUPLICATE';
  readonly message: string;
}

const componentSchema = z.looseObject({
  type: z.string().max(64).optional(),
  name: z.string().max(2000).optional(),
  version: z.string().max(1000).optional(),
  purl: z.string().max(4096).optional(),
  'bom-ref': z.string().max(4096).optional(),
  components: z.array(z.unknown()).optional(),
});

const bomSchema = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string().regex(/^1\.\d+$/),
  components: z.array(z.unknown()).max(1_000_000).optional(),
});

/** Components of a CycloneDX JSON SBOM (nested components included) that carry a purl. */
export function cycloneDxComponents(bom: unknown): {
  components: SbomComponent[];
  skipped: SkippedComponent[];
} {
  const parsed = bomSchema.safeParse(bom);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MatchingError(
      'INVALID_SBOM',
      `not a CycloneDX JSON SBOM: ${issue?.path.join('.') || '(document)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const components: SbomComponent[] = [];
  const skipped: SkippedComponent[] = [];
  const seen = new Set<string>();
  const visit = (values: unknown[], path: string, depth: number): void => {
    if (depth > 32)
      throw new MatchingError('INVALID_SBOM', `${path}: components nested deeper than 32 levels`);
    values.forEach((value, index) => {
      const at = `${path}[${index}]`;
      const c = componentSchema.safeParse(value);
      if (!c.success) {
        skipped.push({
          reason: 'INVALID_PURL',
          message: `${at}: ${c.error.issues[0]?.message ?? 'invalid component'}`,
        });
        return;
      }
      const component = c.data;
      const ref = component['bom-ref'];
      if (!component.purl) {
        skipped.push({
          ...(ref ? { bomRef: ref } : {}),
          ...(component.name ? { name: component.name } : {}),
          reason: 'NO_PURL',
          message: `${at}: no purl`,
        });
      } else if (seen.has(component.purl)) {
        skipped.push({
          ...(ref ? { bomRef: ref } : {}),
          reason: 'DUPLICATE',
          message: `${at}: purl listed earlier`,
        });
      } else {
        seen.add(component.purl);
        components.push({
          purl: component.purl,
          name: component.name ?? component.purl,
          ...(component.version !== undefined ? { version: component.version } : {}),
          ...(ref !== undefined ? { bomRef: ref } : {}),
        });
      }
      if (component.components) visit(component.components, `${at}.components`, depth + 1);
    });
  };
  visit(parsed.data.components ?? [], 'components', 0);
  return { components, skipped };
}
