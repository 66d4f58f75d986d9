import { JAVA_ARCHIVE_PATTERN } from '../catalogers/java';

/** What a cataloger wants from a file, decided from its path (and executable bit) alone. */
export type Interest =
  | { kind: 'dpkg-status' | 'dpkg-files' | 'deb-copyright' | 'apk-installed' | 'rpmdb' | 'os-release' }
  | {
      kind:
        | 'npm-package'
        | 'npm-project'
        | 'npm-lockfile'
        | 'python-package'
        | 'dotnet-deps'
        | 'go-mod'
        | 'go-sum';
    }
  | { kind: 'java-archive' }
  | { kind: 'go-binary' };

const NPM_PACKAGE_JSON = /(?:^|\/)node_modules\/(?:@[^/.][^/]*\/)?[^/.@][^/]*\/package\.json$/;
const PYTHON_METADATA = /(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\.egg-info)$/;
const DPKG_STATUS_D = /^var\/lib\/dpkg\/status\.d\/[^/]+$/;
const DPKG_LIST = /^var\/lib\/dpkg\/info\/[^/]+\.list$/;
const DEB_COPYRIGHT = /^usr\/share\/doc\/[^/]+\/copyright$/;
/** Smallest Go binary is over 1 MiB; skipping smaller executables avoids scanning scripts. */
const MIN_GO_BINARY = 512 * 1024;

export function classifyPath(path: string, mode: number, size: number): Interest | undefined {
  if (path.startsWith('var/lib/dpkg/')) {
    if (path === 'var/lib/dpkg/status') return { kind: 'dpkg-status' };
    if (DPKG_STATUS_D.test(path) && !path.endsWith('.md5sums')) return { kind: 'dpkg-status' };
    if (DPKG_LIST.test(path)) return { kind: 'dpkg-files' };
  }
  if (DEB_COPYRIGHT.test(path)) return { kind: 'deb-copyright' };
  if (path === 'lib/apk/db/installed') return { kind: 'apk-installed' };
  if (path === 'var/lib/rpm/rpmdb.sqlite' || path === 'usr/lib/sysimage/rpm/rpmdb.sqlite')
    return { kind: 'rpmdb' };
  if (path === 'etc/os-release' || path === 'usr/lib/os-release') return { kind: 'os-release' };
  if (path.endsWith('/package.json') && NPM_PACKAGE_JSON.test(path)) return { kind: 'npm-package' };
  if (
    (path === 'package-lock.json' || path.endsWith('/package-lock.json')) &&
    !path.includes('node_modules/')
  )
    return { kind: 'npm-lockfile' };
  // An application's own package.json; kept at merge time only next to node_modules or a lockfile.
  if ((path === 'package.json' || path.endsWith('/package.json')) && !path.includes('node_modules/'))
    return { kind: 'npm-project' };
  if (PYTHON_METADATA.test(path)) return { kind: 'python-package' };
  if (path.endsWith('.deps.json')) return { kind: 'dotnet-deps' };
  if (path === 'go.mod' || path.endsWith('/go.mod')) return { kind: 'go-mod' };
  if (path === 'go.sum' || path.endsWith('/go.sum')) return { kind: 'go-sum' };
  if (JAVA_ARCHIVE_PATTERN.test(path)) return { kind: 'java-archive' };
  if ((mode & 0o111) !== 0 && size >= MIN_GO_BINARY) return { kind: 'go-binary' };
  return undefined;
}
