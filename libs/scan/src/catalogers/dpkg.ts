import type { DpkgPackage } from '../model';
import { field, parseStanzas } from './control-file';

/** dpkg states in which the package's files are on disk. */
const PRESENT_STATES = new Set([
  'installed',
  'half-configured',
  'unpacked',
  'half-installed',
  'triggers-awaiting',
  'triggers-pending',
]);

/**
 * `/var/lib/dpkg/status` or one file of distroless `status.d/`. Packages that are only known
 * (`not-installed`) or whose configuration files are all that remain (`config-files`) are skipped.
 */
export function parseDpkgStatus(text: string): DpkgPackage[] {
  const packages: DpkgPackage[] = [];
  for (const stanza of parseStanzas(text)) {
    const name = field(stanza, 'package');
    const version = field(stanza, 'version');
    if (!name || !version) continue;
    const status = field(stanza, 'status');
    if (status !== undefined) {
      const state = status.split(/\s+/).pop() ?? '';
      if (!PRESENT_STATES.has(state)) continue;
    }
    const pkg: DpkgPackage = { name, version };
    const architecture = field(stanza, 'architecture');
    if (architecture) pkg.architecture = architecture;
    const source = field(stanza, 'source');
    if (source) {
      // "Source: glibc (2.36-9+deb12u4)" names a source version different from the binary's.
      const match = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(source);
      if (match?.[1]) pkg.source = match[1];
      if (match?.[2]) pkg.sourceVersion = match[2];
    }
    const maintainer = field(stanza, 'maintainer');
    if (maintainer) pkg.maintainer = maintainer;
    const homepage = field(stanza, 'homepage');
    if (homepage) pkg.homepage = homepage;
    const depends = [field(stanza, 'pre-depends'), field(stanza, 'depends')].filter((d): d is string => !!d);
    if (depends.length > 0) {
      const names = new Set<string>();
      for (const clause of depends.join(',').split(',')) {
        // First alternative only ("a | b"), without version constraint or arch qualifier.
        const first = clause.split('|')[0]?.trim().split(/[\s(]/)[0]?.split(':')[0];
        if (first) names.add(first);
      }
      pkg.depends = [...names].sort();
    }
    packages.push(pkg);
  }
  return packages;
}

/** `/var/lib/dpkg/info/<pkg>[:<arch>].list`: the paths the package installed, made root-relative. */
export function parseDpkgFileList(text: string): string[] {
  const files: string[] = [];
  for (const line of text.split('\n')) {
    const path = line.trim().replace(/^\/+/, '');
    if (path !== '' && path !== '.') files.push(path);
  }
  return files;
}

export function dpkgPackageFromListPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1, -'.list'.length);
  return base.split(':')[0] ?? base;
}

/**
 * Licence names from `/usr/share/doc/<pkg>/copyright`: the `License:` short names of a
 * machine-readable (DEP-5) file, plus the `/usr/share/common-licenses/<name>` files any
 * copyright text points to. Mapping to SPDX happens later (licenses.ts).
 */
export function parseDebianCopyright(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/^License:[ \t]*([^\n]+)$/gm)) {
    const name = match[1]?.trim();
    if (name) names.add(name);
  }
  for (const match of text.matchAll(/\/usr\/share\/common-licenses\/([0-9A-Za-z_.+-]+[0-9A-Za-z+])/g)) {
    if (match[1]) names.add(match[1]);
  }
  return [...names].sort();
}
