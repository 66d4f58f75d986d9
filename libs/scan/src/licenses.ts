import type { SPDX as SpdxIds } from '@cyclonedx/cyclonedx-library';

// The SPDX licence list ships with the CycloneDX library; loaded when a licence is first looked up.
let spdx: typeof SpdxIds | undefined;
const SPDX = (): typeof SpdxIds => (spdx ??= require('@cyclonedx/cyclonedx-library/SPDX') as typeof SpdxIds);

/**
 * Licence names as packages declare them (Debian DEP-5 short names, Python classifiers, rpm's
 * Fedora/legacy names) that are not SPDX ids, mapped to the SPDX id they mean. Lookups are
 * case-insensitive. Names with no unambiguous SPDX meaning ("BSD", "public-domain") are absent on
 * purpose: they stay declared-only rather than being guessed.
 */
const ALIASES: Record<string, string> = {
  'gpl-1': 'GPL-1.0-only',
  'gpl-1+': 'GPL-1.0-or-later',
  'gpl-2': 'GPL-2.0-only',
  'gpl-2+': 'GPL-2.0-or-later',
  'gpl-3': 'GPL-3.0-only',
  'gpl-3+': 'GPL-3.0-or-later',
  gpl: 'GPL-1.0-or-later',
  'gpl+': 'GPL-1.0-or-later',
  gplv2: 'GPL-2.0-only',
  'gplv2+': 'GPL-2.0-or-later',
  gplv3: 'GPL-3.0-only',
  'gplv3+': 'GPL-3.0-or-later',
  'lgpl-2': 'LGPL-2.0-only',
  'lgpl-2+': 'LGPL-2.0-or-later',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-2.1+': 'LGPL-2.1-or-later',
  'lgpl-3': 'LGPL-3.0-only',
  'lgpl-3+': 'LGPL-3.0-or-later',
  lgplv2: 'LGPL-2.0-only',
  'lgplv2+': 'LGPL-2.0-or-later',
  'lgplv2.1': 'LGPL-2.1-only',
  'lgplv2.1+': 'LGPL-2.1-or-later',
  lgplv3: 'LGPL-3.0-only',
  'lgplv3+': 'LGPL-3.0-or-later',
  'agpl-3': 'AGPL-3.0-only',
  'agpl-3+': 'AGPL-3.0-or-later',
  'gfdl-1.2': 'GFDL-1.2-only',
  'gfdl-1.2+': 'GFDL-1.2-or-later',
  'gfdl-1.3': 'GFDL-1.3-only',
  'gfdl-1.3+': 'GFDL-1.3-or-later',
  'gfdl-nis': 'GFDL-1.3-no-invariants-only',
  'gfdl-nis-1.3': 'GFDL-1.3-no-invariants-only',
  apache: 'Apache-2.0',
  'apache-2': 'Apache-2.0',
  'apache 2.0': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  'apache software license': 'Apache-2.0',
  'apache license 2.0': 'Apache-2.0',
  'apache license, version 2.0': 'Apache-2.0',
  'the apache software license, version 2.0': 'Apache-2.0',
  'https://www.apache.org/licenses/license-2.0': 'Apache-2.0',
  'http://www.apache.org/licenses/license-2.0': 'Apache-2.0',
  'https://www.apache.org/licenses/license-2.0.txt': 'Apache-2.0',
  'http://www.apache.org/licenses/license-2.0.txt': 'Apache-2.0',
  artistic: 'Artistic-1.0-Perl',
  'artistic-1': 'Artistic-1.0',
  'artistic-2': 'Artistic-2.0',
  expat: 'MIT',
  'mit license': 'MIT',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'bsd-4-clause': 'BSD-4-Clause',
  'mpl-1.1': 'MPL-1.1',
  'mpl-2': 'MPL-2.0',
  'mozilla public license 2.0 (mpl 2.0)': 'MPL-2.0',
  'psf-2': 'PSF-2.0',
  'python software foundation license': 'PSF-2.0',
  'isc license (iscl)': 'ISC',
  zlib: 'Zlib',
  'zlib/libpng': 'Zlib',
  'cc0-1.0': 'CC0-1.0',
  cc0: 'CC0-1.0',
  'cc-by-sa-3.0': 'CC-BY-SA-3.0',
  'cc-by-4.0': 'CC-BY-4.0',
  openssl: 'OpenSSL',
  curl: 'curl',
  x11: 'X11',
  'unicode-data': 'Unicode-DFS-2015',
  boost: 'BSL-1.0',
  'boost software license 1.0 (bsl-1.0)': 'BSL-1.0',
  'gnu general public license v2 (gplv2)': 'GPL-2.0-only',
  'gnu general public license v2 or later (gplv2+)': 'GPL-2.0-or-later',
  'gnu general public license v3 (gplv3)': 'GPL-3.0-only',
  'gnu general public license v3 or later (gplv3+)': 'GPL-3.0-or-later',
  'gnu lesser general public license v2 or later (lgplv2+)': 'LGPL-2.0-or-later',
  'gnu lesser general public license v3 (lgplv3)': 'LGPL-3.0-only',
  'gnu library or lesser general public license (lgpl)': 'LGPL-2.0-or-later',
  'eclipse public license 1.0': 'EPL-1.0',
  'eclipse public license 2.0': 'EPL-2.0',
  'epl-1.0': 'EPL-1.0',
  'epl-2.0': 'EPL-2.0',
};

const EXCEPTION = /^[A-Za-z0-9.+-]*exception[A-Za-z0-9.+-]*$/i;

export interface NormalizedLicense {
  /** A valid SPDX licence expression, when every part maps to an SPDX id. */
  expression?: string;
  /** The licence as declared, kept when no expression could be made. */
  declared?: string;
}

function lookupId(token: string): string | undefined {
  const alias = ALIASES[token.toLowerCase()];
  if (alias) return alias;
  if (token.startsWith('LicenseRef-')) return token;
  const fixed = SPDX().fixupSpdxId(token);
  if (fixed) return fixed;
  // "GPL-2.0+" is deprecated SPDX for "GPL-2.0-or-later".
  if (token.endsWith('+')) {
    const base = SPDX().fixupSpdxId(token.slice(0, -1));
    if (base && SPDX().isSupportedSpdxId(`${base}-or-later`)) return `${base}-or-later`;
    if (base) return `${base}+`;
  }
  return undefined;
}

/**
 * Parses an SPDX-like expression (operators in any case, Debian's `or`/`and`, `,` as AND) and
 * maps each licence to an SPDX id; undefined if any part is unknown.
 */
function toExpression(raw: string): string | undefined {
  const whole = lookupId(raw.trim());
  if (whole) return whole;
  const tokens = raw
    .replace(/([()])/g, ' $1 ')
    .replace(/,/g, ' AND ')
    .split(/\s+/)
    .filter(Boolean);
  if (tokens.length === 0) return undefined;
  let at = 0;
  const parseOr = (): string | undefined => {
    const parts = [parseAnd()];
    while (tokens[at]?.toUpperCase() === 'OR') {
      at++;
      parts.push(parseAnd());
    }
    if (parts.some((p) => p === undefined)) return undefined;
    return parts.join(' OR ');
  };
  const parseAnd = (): string | undefined => {
    const parts = [parseWith()];
    while (tokens[at]?.toUpperCase() === 'AND') {
      at++;
      parts.push(parseWith());
    }
    if (parts.some((p) => p === undefined)) return undefined;
    return parts.map((p) => (p!.includes(' OR ') ? `(${p})` : p)).join(' AND ');
  };
  const parseWith = (): string | undefined => {
    const base = parseAtom();
    if (base === undefined) return undefined;
    if (tokens[at]?.toUpperCase() === 'WITH') {
      at++;
      const exception = tokens[at++];
      if (!exception || !EXCEPTION.test(exception)) return undefined;
      return `${base} WITH ${exception}`;
    }
    return base;
  };
  const parseAtom = (): string | undefined => {
    const token = tokens[at++];
    if (token === undefined) return undefined;
    if (token === '(') {
      const inner = parseOr();
      if (tokens[at++] !== ')' || inner === undefined) return undefined;
      return inner.includes(' ') ? `(${inner})` : inner;
    }
    return lookupId(token);
  };
  const result = parseOr();
  return result !== undefined && at === tokens.length ? result : undefined;
}

/** One declared licence string to an SPDX expression where possible. */
export function normalizeLicense(raw: string | undefined): NormalizedLicense {
  const text = raw?.trim();
  if (!text) return {};
  const expression = toExpression(text);
  return expression ? { expression } : { declared: text };
}

/**
 * Several licences that all apply (e.g. the `License:` stanzas of a Debian copyright file):
 * joined with AND in sorted order; declared-only when any one of them is unknown.
 */
export function combineLicenses(names: readonly string[]): NormalizedLicense {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))].sort();
  if (unique.length === 0) return {};
  const expressions = unique.map((n) => toExpression(n));
  if (expressions.every((e): e is string => e !== undefined)) {
    const distinct = [...new Set(expressions)].sort();
    return {
      expression:
        distinct.length === 1
          ? distinct[0]
          : distinct.map((e) => (e.includes(' ') ? `(${e})` : e)).join(' AND '),
    };
  }
  return { declared: unique.join(', ') };
}
