import type { z } from 'zod';
import {
  anyOf,
  arrayOf,
  isBoolean,
  isString,
  object,
  optional,
  stringOfLength,
  type Guard,
} from '../validation/guards';
import { lazySchema, safeParseChecked } from '../validation/lazy-zod';

/** The zod schemas of package.json and package-lock.json (built on first use, see lazySchema). */
function buildNpmSchemas(z: typeof import('zod').z) {
  const licenseField = z.union([z.string(), z.object({ type: z.string() }).loose()]);
  const packageJsonSchema = z
    .object({
      name: z.string().min(1).max(214),
      version: z.string().min(1).max(256),
      license: licenseField.optional(),
      licenses: z.union([z.array(licenseField), licenseField]).optional(),
      private: z.boolean().optional(),
    })
    .loose();
  const lockEntrySchema = z
    .object({
      name: z.string().optional(),
      version: z.string().optional(),
      dev: z.boolean().optional(),
      link: z.boolean().optional(),
      license: z.string().optional(),
    })
    .loose();
  const lockV1DependencySchema: z.ZodType<LockV1Dependency> = z.lazy(() =>
    z
      .object({
        version: z.string(),
        dev: z.boolean().optional(),
        dependencies: z.record(z.string(), lockV1DependencySchema).optional(),
      })
      .loose(),
  );
  const lockfileSchema = z
    .object({
      lockfileVersion: z.number().int().optional(),
      packages: z.record(z.string(), lockEntrySchema).optional(),
      dependencies: z.record(z.string(), z.unknown()).optional(),
    })
    .loose();
  return { licenseField, packageJsonSchema, lockfileSchema, lockV1DependencySchema };
}
export const npmSchemas = lazySchema(buildNpmSchemas);
type NpmSchemas = ReturnType<typeof buildNpmSchemas>;
type LicenseField = z.infer<NpmSchemas['licenseField']>;

/**
 * Accepts only what `packageJsonSchema` accepts (it may refuse more): every package.json of an
 * image is read, and a plain check spares loading zod for them (see safeParseChecked).
 */
const licenseFieldGuard: Guard = anyOf(isString, object({ type: isString }, 'loose'));
export const isPackageJson: Guard = object(
  {
    name: stringOfLength(1, 214),
    version: stringOfLength(1, 256),
    license: optional(licenseFieldGuard),
    licenses: optional(anyOf(arrayOf(licenseFieldGuard), licenseFieldGuard)),
    private: optional(isBoolean),
  },
  'loose',
);

export interface NpmPackageJson {
  name: string;
  version: string;
  license?: string;
  private?: boolean;
}

/** A `node_modules/<name>/package.json`; undefined when it does not name a package (name + version). */
export function parsePackageJson(text: string): NpmPackageJson | undefined {
  const parsed = safeParseChecked(JSON.parse(text), isPackageJson, () => npmSchemas().packageJsonSchema);
  if (!parsed.success) return undefined;
  const { name, version } = parsed.data;
  const result: NpmPackageJson = { name, version };
  const license = licenseText(parsed.data.license) ?? licensesText(parsed.data.licenses);
  if (license) result.license = license;
  if (parsed.data.private) result.private = true;
  return result;
}

function licenseText(value: LicenseField | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.type;
}

/** Legacy `licenses: [{type: 'MIT'}, {type: 'Apache-2.0'}]` means either of them applies. */
function licensesText(value: z.infer<NpmSchemas['packageJsonSchema']>['licenses']): string | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).map(licenseText).filter((v): v is string => !!v);
  if (list.length === 0) return undefined;
  return list.length === 1 ? list[0] : `(${list.join(' OR ')})`;
}

interface LockV1Dependency {
  version: string;
  dev?: boolean;
  dependencies?: Record<string, LockV1Dependency>;
}
export interface LockedPackage {
  name: string;
  version: string;
  /** `node_modules/a/node_modules/b` as in the lockfile. */
  location: string;
  license?: string;
}

/**
 * package-lock.json v1 (`dependencies` tree), v2 and v3 (`packages` map). Development-only
 * entries are left out: they are not installed in a production image, and lockfiles are only
 * used where no `node_modules` was installed next to them.
 */
export function parsePackageLock(text: string): LockedPackage[] {
  // Lockfiles are rarer and deeper than package.json files: zod validates them (loaded here).
  const { lockfileSchema, lockV1DependencySchema } = npmSchemas();
  const parsed = lockfileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return [];
  const result: LockedPackage[] = [];
  if (parsed.data.packages) {
    for (const [location, entry] of Object.entries(parsed.data.packages)) {
      if (location === '' || entry.link || entry.dev || !entry.version) continue;
      const index = location.lastIndexOf('node_modules/');
      const name = entry.name ?? (index >= 0 ? location.slice(index + 'node_modules/'.length) : undefined);
      if (!name || !isValidSemverish(entry.version)) continue;
      const pkg: LockedPackage = { name, version: entry.version, location };
      if (entry.license) pkg.license = entry.license;
      result.push(pkg);
    }
    return result;
  }
  const walk = (deps: Record<string, unknown>, prefix: string) => {
    for (const [name, raw] of Object.entries(deps)) {
      const dep = lockV1DependencySchema.safeParse(raw);
      if (!dep.success) continue;
      const location = `${prefix}node_modules/${name}`;
      if (!dep.data.dev && isValidSemverish(dep.data.version))
        result.push({ name, version: dep.data.version, location });
      if (dep.data.dependencies) walk(dep.data.dependencies, `${location}/`);
    }
  };
  if (parsed.data.dependencies) walk(parsed.data.dependencies, '');
  return result;
}

/** Lock versions can be URLs or `file:` specs for non-registry packages; those have no npm purl version. */
function isValidSemverish(version: string): boolean {
  return /^\d+\.\d+\.\d+/.test(version);
}
