#!/usr/bin/env node
// Writes build-info.json (version, git commit, build date) read by every service's GET /version.
// The date is the commit's, not the clock's, so rebuilding the same commit gives the same bytes.
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const git = (...args) => {
  try {
    return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
};
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const commitTime = git('log', '-1', '--format=%ct');
const info = {
  version,
  gitCommit: git('rev-parse', 'HEAD') ?? 'unknown',
  buildDate: commitTime ? new Date(Number(commitTime) * 1000).toISOString() : 'unknown',
};
writeFileSync(join(root, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
