import { z } from 'zod';

/**
 * CycloneDX BOM predicate. in-toto registers `https://cyclonedx.org/bom` and examples use
 * `https://cyclonedx.org/bom/v1.<minor>`; both are recognised. Only the BOM envelope fields are
 * checked here (format, spec version, serial number, component identity): full CycloneDX schema
 * validation belongs to the SBOM producer/consumer, not to the attestation layer.
 */
export const CYCLONEDX_BOM = 'https://cyclonedx.org/bom';
export const CYCLONEDX_BOM_VERSIONED = /^https:\/\/cyclonedx\.org\/bom\/v(1\.\d+)$/;

const ComponentSchema = z.looseObject({
  type: z.string().min(1),
  name: z.string().min(1),
  version: z.string().optional(),
  purl: z.string().optional(),
  'bom-ref': z.string().optional(),
});

export const CycloneDxBomSchema = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string().regex(/^1\.\d+$/, 'specVersion must be 1.<minor>'),
  serialNumber: z
    .string()
    .regex(/^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/)
    .optional(),
  version: z.number().int().min(1).optional(),
  metadata: z.looseObject({}).optional(),
  components: z.array(ComponentSchema).optional(),
});

export type CycloneDxBom = z.infer<typeof CycloneDxBomSchema>;
