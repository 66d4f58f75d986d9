import type { ApkPackage } from '../model';

/** Alpine's `/lib/apk/db/installed`: `X:value` lines, one blank-line separated record per package. */
export function parseApkInstalled(text: string): ApkPackage[] {
  const packages: ApkPackage[] = [];
  let current: Partial<ApkPackage> & { files: string[] } = { files: [] };
  let dir = '';
  const flush = () => {
    if (current.name && current.version)
      packages.push({ ...current, name: current.name, version: current.version });
    current = { files: [] };
    dir = '';
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        current.name = value;
        break;
      case 'V':
        current.version = value;
        break;
      case 'A':
        current.architecture = value;
        break;
      case 'o':
        current.origin = value;
        break;
      case 'L':
        current.license = value;
        break;
      case 'm':
        current.maintainer = value;
        break;
      case 'U':
        current.url = value;
        break;
      case 'D':
        current.depends = value.split(/\s+/).filter(Boolean).sort();
        break;
      case 'F':
        dir = value.replace(/^\/+|\/+$/g, '');
        break;
      case 'R':
        current.files.push(dir ? `${dir}/${value}` : value);
        break;
      default:
        break;
    }
  }
  flush();
  return packages;
}
