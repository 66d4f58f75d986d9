/** `pkg:type/namespace/name` of a purl: version, qualifiers and subpath removed. */
export function packageKey(purl: string): string {
  let end = purl.length;
  const hash = purl.indexOf('#');
  if (hash >= 0) end = hash;
  const query = purl.indexOf('?');
  if (query >= 0 && query < end) end = query;
  const head = purl.slice(0, end);
  const at = head.lastIndexOf('@');
  // An `@` of a version follows the last `/` (a scope `@` is percent-encoded in a purl, but be lenient).
  return at > head.lastIndexOf('/') ? head.slice(0, at) : head;
}

/** The version part of a purl, or undefined. */
export function purlVersion(purl: string): string | undefined {
  return splitPurl(purl)[1];
}

/** `[packageKey, version]` of a purl in one pass. */
export function splitPurl(purl: string): [string, string | undefined] {
  const key = packageKey(purl);
  if (purl.charCodeAt(key.length) !== 64 /* @ */) return [key, undefined];
  const rest = purl.slice(key.length + 1);
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) {
      end = i;
      break;
    }
  }
  const version = rest.slice(0, end);
  return [key, version.includes('%') ? decodeURIComponent(version) : version];
}

/** The package name of a purl (last path segment, decoded). */
export function purlName(purl: string): string {
  const key = packageKey(purl);
  return decodeURIComponent(key.slice(key.lastIndexOf('/') + 1));
}
