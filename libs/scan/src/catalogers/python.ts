import { parseStanzas } from './control-file';

export interface PythonPackage {
  name: string;
  version: string;
  license?: string;
}

/**
 * Core metadata (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO` or a single-file `*.egg-info`):
 * headers up to the first blank line; the body is the long description. The licence is taken from
 * `License-Expression` (metadata 2.4), then a short `License` field, then the trove classifiers.
 */
export function parsePythonMetadata(text: string): PythonPackage | undefined {
  const [headers] = parseStanzas(text, { stopAtFirstBlank: true });
  if (!headers) return undefined;
  const name = headers.get('name')?.[0];
  const version = headers.get('version')?.[0];
  if (!name || !version) return undefined;
  const pkg: PythonPackage = { name, version };
  const expression = headers.get('license-expression')?.[0];
  const license = headers.get('license')?.[0];
  const classifiers = (headers.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()?.trim() ?? '')
    .filter((c) => c !== '' && c !== 'OSI Approved');
  if (expression) pkg.license = expression;
  else if (license && license !== 'UNKNOWN' && !license.includes('\n') && license.length <= 200)
    pkg.license = license;
  else if (classifiers.length > 0) pkg.license = [...new Set(classifiers)].sort().join(' AND ');
  return pkg;
}

/** PyPI names compare after PEP 503 normalization; the purl uses that form. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
