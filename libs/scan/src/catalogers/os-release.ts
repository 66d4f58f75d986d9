import type { OsRelease } from '../model';

/** `/etc/os-release` (shell-style assignments, values optionally quoted). */
export function parseOsRelease(text: string): OsRelease | undefined {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    values.set(match[1], unquote(match[2].trim()));
  }
  const id = values.get('ID');
  if (!id) return undefined;
  const release: OsRelease = { id: id.toLowerCase() };
  const versionId = values.get('VERSION_ID');
  if (versionId) release.versionId = versionId;
  const codename = values.get('VERSION_CODENAME');
  if (codename) release.versionCodename = codename;
  const name = values.get('NAME');
  if (name) release.name = name;
  const pretty = values.get('PRETTY_NAME');
  if (pretty) release.prettyName = pretty;
  const idLike = values.get('ID_LIKE');
  if (idLike) release.idLike = idLike.split(/\s+/).filter(Boolean);
  return release;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
    const inner = value.slice(1, -1);
    return value[0] === '"' ? inner.replace(/\\(["\\`$])/g, '$1') : inner;
  }
  return value;
}
