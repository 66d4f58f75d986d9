export interface GoModRequirement {
  path: string;
  version: string;
  indirect?: boolean;
}

type Block = 'require' | 'replace' | 'other';

/**
 * `go.mod`: the module's requirements with `replace` directives applied. Since Go 1.17 go.mod lists
 * every module the build uses (direct and indirect), so it is enough without go.sum. Requirements
 * replaced by a local directory (`=> ../x`) name no published module and are dropped.
 */
export function parseGoMod(text: string): {
  module?: string;
  goVersion?: string;
  requirements: GoModRequirement[];
} {
  const requirements: GoModRequirement[] = [];
  const replacements = new Map<string, { path: string; version?: string }>();
  let module: string | undefined;
  let goVersion: string | undefined;
  let block: Block | undefined;
  for (const raw of text.split('\n')) {
    const indirect = /\/\/\s*indirect\b/.test(raw);
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block !== undefined && line === ')') {
      block = undefined;
      continue;
    }
    let directive: string;
    let rest: string;
    if (block === undefined) {
      const match = /^([a-z]+)\b\s*(.*)$/.exec(line);
      if (!match?.[1]) continue;
      directive = match[1];
      rest = match[2] ?? '';
      if (rest === '(') {
        block = directive === 'require' || directive === 'replace' ? directive : 'other';
        continue;
      }
    } else {
      directive = block;
      rest = line;
    }
    const fields = rest.split(/\s+/).map(unquote);
    if (directive === 'module') module = fields[0];
    else if (directive === 'go') goVersion = fields[0];
    else if (directive === 'require' && fields[0] && fields[1]) {
      const requirement: GoModRequirement = { path: fields[0], version: fields[1] };
      if (indirect) requirement.indirect = true;
      requirements.push(requirement);
    } else if (directive === 'replace') {
      const arrow = fields.indexOf('=>');
      const to = fields[arrow + 1];
      // "a => b v1" replaces every version of a; "a v0 => b v1" only that one (treated alike here).
      if (arrow > 0 && fields[0] && to)
        replacements.set(
          fields[0],
          fields[arrow + 2] ? { path: to, version: fields[arrow + 2] } : { path: to },
        );
    }
  }
  const resolved: GoModRequirement[] = [];
  for (const requirement of requirements) {
    const replacement = replacements.get(requirement.path);
    if (!replacement) resolved.push(requirement);
    else if (replacement.version)
      resolved.push({ ...requirement, path: replacement.path, version: replacement.version });
  }
  return { ...(module ? { module } : {}), ...(goVersion ? { goVersion } : {}), requirements: resolved };
}

function unquote(field: string): string {
  return field.length >= 2 && (field.startsWith('"') || field.startsWith('`')) ? field.slice(1, -1) : field;
}

/**
 * `go.sum` lines with a hash of the module's content (not only of its go.mod): modules whose code
 * was downloaded for the build. Before Go 1.17 go.mod does not list indirect requirements, so these
 * complete it; `/go.mod`-only lines are modules the resolver looked at but did not build with.
 */
export function parseGoSum(text: string): { path: string; version: string }[] {
  const modules = new Map<string, { path: string; version: string }>();
  for (const line of text.split('\n')) {
    const [path, version, hash] = line.trim().split(/\s+/);
    if (!path || !version || !hash || version.endsWith('/go.mod')) continue;
    modules.set(`${path}@${version}`, { path, version });
  }
  return [...modules.values()];
}

/** go.mod `go` directives below 1.17 leave indirect requirements to go.sum. */
export function goModNeedsGoSum(goVersion: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)/.exec(goVersion ?? '');
  if (!match) return true;
  return Number(match[1]) === 1 && Number(match[2]) < 17;
}
