/**
 * Debian control-file / RFC 822 style stanzas: `Key: value`, continuation lines start with a
 * space or tab, stanzas are separated by blank lines. Keys are compared case-insensitively, so
 * they are stored lower-cased; for repeated keys (Python `Classifier`) every value is kept.
 */
export type Stanza = Map<string, string[]>;

export function parseStanzas(text: string, opts: { stopAtFirstBlank?: boolean } = {}): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza = new Map();
  let lastKey: string | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') {
      if (current.size > 0) {
        stanzas.push(current);
        if (opts.stopAtFirstBlank) return stanzas;
      }
      current = new Map();
      lastKey = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && lastKey !== undefined) {
      const values = current.get(lastKey);
      if (values && values.length > 0) values[values.length - 1] += '\n' + line.slice(1);
      continue;
    }
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = current.get(lastKey);
    if (values) values.push(value);
    else current.set(lastKey, [value]);
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}

export function field(stanza: Stanza, key: string): string | undefined {
  const value = stanza.get(key)?.[0];
  return value === undefined || value === '' ? undefined : value;
}
