'use strict';
// In-process cold vs warm scan (what a long-running scanner service sees): scans <top> without a
// cache, then <base> into an empty cache, then <top> again with it. Prints JSON seconds on stdout.
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const scan = require(path.resolve(__dirname, '../../libs/scan/dist'));

async function main() {
  const [base, top, runsArg] = process.argv.slice(2);
  const runs = Math.max(1, Number(runsArg ?? '3'));
  const seconds = async (fn) => {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const medianOf = async (fn) => {
    const values = [];
    for (let i = 0; i < runs; i++) values.push(await seconds(fn));
    return values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  };
  // Load every module once so that neither measurement pays for it.
  scan.toCycloneDx(await scan.scanImage(`docker-archive:${top}`));
  const coldSeconds = await medianOf(async () =>
    scan.toCycloneDx(await scan.scanImage(`docker-archive:${top}`)),
  );
  const cache = new scan.FileSystemLayerCache(fs.mkdtempSync(path.join(os.tmpdir(), 'stella-warm-')));
  await scan.scanImage(`docker-archive:${base}`, { layerCache: cache });
  const warmSeconds = await medianOf(async () =>
    scan.toCycloneDx(await scan.scanImage(`docker-archive:${top}`, { layerCache: cache })),
  );
  process.stdout.write(
    JSON.stringify({ coldSeconds, warmSeconds, speedup: coldSeconds / warmSeconds }) + '\n',
  );
}
main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
