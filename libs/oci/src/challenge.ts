/** One parsed `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"`. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235 auth-params, quoted strings with escapes).
 * Returns every challenge it finds; parameter names are lowercased.
 */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let index = 0;
  const skipSpaces = (): void => {
    while (index < header.length && (header[index] === ' ' || header[index] === '\t')) index += 1;
  };
  const readToken = (): string => {
    const start = index;
    while (index < header.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[index] ?? '')) index += 1;
    return header.slice(start, index);
  };

  while (index < header.length) {
    skipSpaces();
    while (header[index] === ',') {
      index += 1;
      skipSpaces();
    }
    const scheme = readToken();
    if (scheme.length === 0) break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      skipSpaces();
      const mark = index;
      const name = readToken();
      skipSpaces();
      if (name.length === 0 || header[index] !== '=') {
        // Not an auth-param: either the next challenge's scheme or the end.
        index = mark;
        break;
      }
      index += 1;
      skipSpaces();
      let value = '';
      if (header[index] === '"') {
        index += 1;
        while (index < header.length && header[index] !== '"') {
          if (header[index] === '\\' && index + 1 < header.length) index += 1;
          value += header[index];
          index += 1;
        }
        index += 1;
      } else {
        // Lenient about unquoted values (some servers send bare URLs): read up to the next comma or space.
        const start = index;
        while (index < header.length && !/[,\s]/.test(header[index] ?? '')) index += 1;
        value = header.slice(start, index);
      }
      challenge.params[name.toLowerCase()] = value;
      skipSpaces();
      if (header[index] === ',') index += 1;
      else break;
    }
  }
  return challenges;
}
