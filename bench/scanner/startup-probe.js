'use strict';
// Runs `stella scan docker-archive:<missing>` in this process and prints which modules it loaded
// (everything a local scan loads before reading its input), as JSON on stdout.
const path = require('node:path');

const missing = process.argv[2] ?? '/nonexistent/image.tar';
const cli = require(path.resolve(__dirname, '../../services/cli/dist/main.js'));
const stderr = process.stderr.write.bind(process.stderr);
process.stderr.write = () => true; // the expected "does not exist" message
cli.main(['node', 'stella', 'scan', `docker-archive:${missing}`, '--no-cache']).then(() => {
  process.stderr.write = stderr;
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const own = /\/(libs|services)\/([^/]+)\//.exec(file);
    if (pkg) names.add(pkg[1]);
    else if (own) names.add(`${own[1]}/${own[2]}`);
  }
  process.stdout.write(
    JSON.stringify({ modules: Object.keys(require.cache).length, packages: [...names].sort() }) + '\n',
  );
});
