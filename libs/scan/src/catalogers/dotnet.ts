import { lazySchema } from '../validation/lazy-zod';

/** Built on first use: zod is loaded only when an image holds a deps.json (see lazySchema). */
const depsJsonSchema = lazySchema((z) =>
  z
    .object({
      libraries: z
        .record(z.string(), z.object({ type: z.string(), sha512: z.string().optional() }).loose())
        .optional(),
    })
    .loose(),
);

export interface NugetPackage {
  name: string;
  version: string;
  sha512?: string;
}

/** `<app>.deps.json`: the NuGet packages (`type: package`) the application was built against. */
export function parseDepsJson(text: string): NugetPackage[] {
  const parsed = depsJsonSchema().safeParse(JSON.parse(text));
  if (!parsed.success || !parsed.data.libraries) return [];
  const packages: NugetPackage[] = [];
  for (const [key, library] of Object.entries(parsed.data.libraries)) {
    if (library.type !== 'package') continue;
    const slash = key.indexOf('/');
    if (slash <= 0 || slash === key.length - 1) continue;
    const pkg: NugetPackage = { name: key.slice(0, slash), version: key.slice(slash + 1) };
    if (library.sha512) pkg.sha512 = library.sha512;
    packages.push(pkg);
  }
  return packages;
}
