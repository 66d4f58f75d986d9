import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { baseServiceConfigSchema, envVarFor } from '@stella/config';

const root = join(__dirname, '..', '..');

/** Every `*ConfigSchema` (a zod object) exported from a `*config*.ts` module of a library or service. */
function discoverConfigSchemas(): Array<{ where: string; schema: z.ZodObject }> {
  const found: Array<{ where: string; schema: z.ZodObject }> = [
    { where: 'libs/config', schema: baseServiceConfigSchema },
  ];
  for (const kind of ['libs', 'services']) {
    for (const pkg of readdirSync(join(root, kind))) {
      const src = join(root, kind, pkg, 'src');
      for (const file of walk(src).filter((f) => /config[^/]*\.ts$/.test(f) && !f.endsWith('.spec.ts'))) {
        const mod = require(file) as Record<string, unknown>;
        for (const [name, value] of Object.entries(mod)) {
          if (/ConfigSchema$/.test(name) && value instanceof z.ZodObject)
            found.push({ where: `${kind}/${pkg}: ${name}`, schema: value });
        }
      }
    }
  }
  return found;
}

function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('docs/configuration.md', () => {
  it('documents every STELLA_* key of every configuration schema', () => {
    const doc = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
    const schemas = discoverConfigSchemas();
    expect(schemas.length).toBeGreaterThan(2);
    const missing = schemas.flatMap(({ where, schema }) =>
      Object.keys(schema.shape)
        .map((key) => envVarFor(key))
        .filter((envVar) => !doc.includes(`\`${envVar}\``))
        .map((envVar) => `${envVar} (${where})`),
    );
    expect(missing).toEqual([]);
  });
});
