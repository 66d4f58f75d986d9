import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BuildInfo {
  version: string;
  gitCommit: string;
  buildDate: string;
}

/**
 * Build identity written by `scripts/write-build-info.js` at build time (release images
 * bake it in). Looked up from `startDir` upwards so it works from src/ (tests) and dist/.
 */
export function loadBuildInfo(startDir: string = __dirname): BuildInfo {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'build-info.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as Partial<BuildInfo>;
      return {
        version: parsed.version ?? '0.0.0',
        gitCommit: parsed.gitCommit ?? 'unknown',
        buildDate: parsed.buildDate ?? 'unknown',
      };
    }
    if (dirname(dir) === dir) return { version: '0.0.0-dev', gitCommit: 'unknown', buildDate: 'unknown' };
  }
}
