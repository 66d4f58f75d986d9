import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DoctorCheckResult, errorMessage, fail, pass, warn } from './check';

/** Secrets on disk must be 0600 (no group/other access) and owned by the user running Stella. */
export async function checkSecretFiles(
  paths: string[],
  uid: number | undefined = process.getuid?.(),
): Promise<DoctorCheckResult[]> {
  const results: DoctorCheckResult[] = [];
  for (const path of [...new Set(paths)].sort()) {
    const name = `file:${path}`;
    try {
      const s = await stat(path);
      const mode = s.mode & 0o777;
      if ((mode & 0o077) !== 0) {
        results.push(
          fail(
            name,
            `mode ${mode.toString(8).padStart(4, '0')} lets others read a secret`,
            `chmod 600 ${path}`,
          ),
        );
      } else if (uid !== undefined && s.uid !== uid) {
        results.push(fail(name, `owned by uid ${s.uid}, not ${uid}`, `chown ${uid} ${path}`));
      } else {
        results.push(pass(name, `mode ${mode.toString(8).padStart(4, '0')}`));
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        results.push(
          warn(
            name,
            'does not exist',
            'log in / start the fleet to create it, or remove it from the fleet file',
          ),
        );
      else results.push(fail(name, errorMessage(error), 'check permissions of the directory'));
    }
  }
  return results;
}

export const DISK_FAIL_BYTES = 1024 ** 3;
export const DISK_WARN_BYTES = 5 * 1024 ** 3;

/** Free space where Stella keeps its data (the nearest existing directory up from `path`). */
export async function checkFreeDisk(path: string): Promise<DoctorCheckResult> {
  try {
    while (
      !(await stat(path).then(
        () => true,
        () => false,
      )) &&
      dirname(path) !== path
    )
      path = dirname(path);
    const s = await statfs(path);
    const free = s.bavail * s.bsize;
    const detail = `${(free / 1024 ** 3).toFixed(1)} GiB free at ${path}`;
    if (free < DISK_FAIL_BYTES)
      return fail('disk', detail, 'free space: databases, logs and evidence packets need at least 1 GiB');
    if (free < DISK_WARN_BYTES) return warn('disk', detail, 'less than 5 GiB left; plan for more space');
    return pass('disk', detail);
  } catch (error) {
    return fail(
      'disk',
      `cannot read free space of ${path}: ${errorMessage(error)}`,
      'check that the data directory exists',
    );
  }
}
