import parseSpdx from 'spdx-expression-parse';

type SpdxNode = parseSpdx.Info;

export type LicenseCheck =
  { kind: 'ok' } | { kind: 'denied'; licenses: string[] } | { kind: 'unparseable'; error: string };

/**
 * Whether an SPDX expression forces a denied licence on the user: `A AND B` is denied when either
 * side is, `A OR B` only when both are (the user may pick the other), `A WITH exception` when A is.
 */
function deniedIn(node: SpdxNode, deny: ReadonlySet<string>): string[] | null {
  if ('license' in node) {
    return deny.has(node.license.toLowerCase()) ? [node.license] : null;
  }
  const left = deniedIn(node.left, deny);
  const right = deniedIn(node.right, deny);
  if (node.conjunction === 'and') {
    if (!left && !right) return null;
    return [...(left ?? []), ...(right ?? [])];
  }
  return left && right ? [...left, ...right] : null;
}

export function checkLicense(expression: string, deny: ReadonlySet<string>): LicenseCheck {
  let tree: SpdxNode;
  try {
    tree = parseSpdx(expression);
  } catch (err) {
    return { kind: 'unparseable', error: err instanceof Error ? err.message : String(err) };
  }
  const denied = deniedIn(tree, deny);
  return denied ? { kind: 'denied', licenses: [...new Set(denied)].sort() } : { kind: 'ok' };
}
