'use strict';
// The component index at scale: "which scanned images contain package P in range V" over
// --images images x --per-image components (default 10,000 x 500 = 5M rows) in a throw-away
// schema of the real Postgres, with the scanner's own migration (its indexes) and the scanner
// service answering over HTTP (GET /api/v1/components and the bulk POST /api/v1/components/query
// the policy service calls). One popular package (lodash, 22 versions) is in every image.
//
// Usage: node bench/scanner/component-query.js [--images 10000] [--per-image 500] [--runs 7]
// (bench:scanner runs it after the image benchmarks; results in bench/results/scanner-index.json)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const req = (p) => require(path.join(ROOT, p));
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const images = Number(arg('--images', '10000'));
const perImage = Number(arg('--per-image', '500'));
const runs = Number(arg('--runs', '7'));
const keepSchema = argv.includes('--keep-schema');

const { createDataSource, runMigrations } = req('libs/db/dist');
const testing = req('libs/testing/dist');
const scanner = req('services/scanner/dist');

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

async function main() {
  const schema = await testing.createTestSchema('bench_scanner');
  const nats = testing.createTestNatsPrefix();
  const s3 = await testing.startTestS3();
  const tokens = testing.createTestTokenIssuer({ scope: 'scan:read scan:write', tenant: 'bench' });
  let svc;
  try {
    const source = createDataSource({
      url: schema.url,
      schema: schema.schema,
      migrations: scanner.scannerMigrations,
      applicationName: 'stella-bench-scanner-index',
      statementTimeoutMs: 0,
    });
    await runMigrations(source);
    const q = (sql, params) => source.query(sql, params);
    const s = `"${schema.schema}"`;

    // ---- load: the scanner's own indexes are dropped for the bulk load and rebuilt (as a restore would)
    const load = process.hrtime.bigint();
    const indexes = await q(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'components'`,
      [schema.schema],
    );
    for (const index of indexes) await q(`DROP INDEX ${s}."${index.indexname}"`);
    await q(`SELECT setseed(0.42)`);
    await q(
      `INSERT INTO ${s}.scans (scan_id, tenant_id, image_digest, platform, repository, requested_ref, status, created_at, updated_at, completed_at, component_count)
       SELECT md5('scan' || i)::uuid, 'bench', 'sha256:' || encode(sha256(('image' || i)::bytea), 'hex'), 'linux/amd64',
              'registry.local/app' || (i % 400), 'registry.local/app' || (i % 400) || ':' || i, 'completed', now(), now(), now(), $2
       FROM generate_series(1, $1) AS i`,
      [images, perImage],
    );
    // lodash in every image (22 versions), the rest drawn from 20,000 packages of five ecosystems,
    // skewed so that a few are in most images and most are in few (x^3 of a uniform draw).
    await q(
      `INSERT INTO ${s}.components (tenant_id, purl_type, namespace, name, version, image_digest, layer_digest, path, purl, scan_id)
       SELECT 'bench', 'npm', '', 'lodash', '4.17.' || (i % 22), sc.image_digest, 'sha256:' || md5('l' || i) || md5('m' || i),
              '/app/node_modules/lodash/package.json', 'pkg:npm/lodash@4.17.' || (i % 22), sc.scan_id
       FROM generate_series(1, $1) AS i JOIN ${s}.scans sc ON sc.scan_id = md5('scan' || i)::uuid`,
      [images],
    );
    await q(
      `INSERT INTO ${s}.components (tenant_id, purl_type, namespace, name, version, image_digest, layer_digest, path, purl, scan_id)
       SELECT 'bench', t.type, t.ns, t.name, t.version, sc.image_digest, 'sha256:' || md5('l' || i) || md5('k' || (j % 7)),
              '/layer/' || j || '/' || t.name, 'pkg:' || t.type || '/' || t.name || '@' || t.version, sc.scan_id
       FROM generate_series(1, $1) AS i
       JOIN ${s}.scans sc ON sc.scan_id = md5('scan' || i)::uuid
       CROSS JOIN generate_series(2, $2) AS j
       CROSS JOIN LATERAL (SELECT floor(20000 * power(random(), 3))::int + 0 * j + 0 * i AS p) AS pick
       CROSS JOIN LATERAL (SELECT (ARRAY['npm','deb','pypi','maven','golang'])[1 + pick.p % 5] AS type,
                                  CASE WHEN pick.p % 5 = 3 THEN 'org.example' ELSE '' END AS ns,
                                  'pkg' || pick.p AS name,
                                  (1 + (i + j) % 3) || '.' || ((i * 7 + pick.p) % 10) || '.0' AS version) AS t`,
      [images, perImage],
    );
    for (const index of indexes) await q(index.indexdef);
    await q(`VACUUM ANALYZE ${s}.components`);
    await q(`VACUUM ANALYZE ${s}.scans`);
    const loadSeconds = seconds(load);
    const [{ count }] = await q(`SELECT count(*)::int AS count FROM ${s}.components`);
    const [{ size }] = await q(`SELECT pg_size_pretty(pg_total_relation_size('${s}.components')) AS size`);
    console.log(
      `component index: ${count} rows over ${images} images (${size} with indexes), loaded in ${loadSeconds.toFixed(1)} s`,
    );

    // ---- the scanner over HTTP
    const config = scanner.scannerConfigSchema.parse({
      httpPort: 0,
      databaseUrl: schema.url,
      databaseSchema: schema.schema,
      natsUrl: nats.servers,
      natsPrefix: nats.prefix,
      scannerCacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'stella-bench-cache-')),
      scannerS3Endpoint: s3.endpoint,
      scannerS3AccessKey: s3.accessKey,
      scannerS3SecretKey: s3.secretKey,
      scannerGrpcEnabled: false,
      scannerNatsSubmit: false,
    });
    svc = await testing.bootTestApp({
      service: 'scanner',
      module: scanner.createScannerModule({ verifier: tokens.verifier }),
      config,
    });
    const token = await tokens.mint();
    const call = async (method, url, body) => {
      const start = process.hrtime.bigint();
      const response = await fetch(`${svc.url}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = await response.json();
      if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
      return { json, seconds: seconds(start) };
    };
    const timed = async (label, method, url, body, describe) => {
      await call(method, url, body); // warm
      const times = [];
      let last;
      for (let i = 0; i < runs; i++) {
        last = await call(method, url, body);
        times.push(last.seconds);
      }
      const result = { median: median(times), max: Math.max(...times), ...describe(last.json) };
      console.log(
        `${label}: median ${(result.median * 1000).toFixed(0)} ms, max ${(result.max * 1000).toFixed(0)} ms, ${JSON.stringify(describe(last.json))}`,
      );
      return result;
    };
    const results = {
      machine: {
        cpus: os.cpus().length,
        loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
        node: process.version,
      },
      rows: count,
      images,
      tableSize: size,
      loadSeconds,
      queries: {},
    };
    const popular = encodeURIComponent('pkg:npm/lodash');
    results.queries.popularInRange = await timed(
      'GET lodash <4.17.21, all matching images in one page',
      'GET',
      `/api/v1/components?purl=${popular}&range=${encodeURIComponent('<4.17.21')}&limit=10000`,
      undefined,
      (j) => ({ images: j.images.length, versions: j.versions.length }),
    );
    results.queries.popularFirstPage = await timed(
      'GET lodash vers:npm/>=4.17.3|<4.17.21, first page of 1000',
      'GET',
      `/api/v1/components?purl=${popular}&range=${encodeURIComponent('vers:npm/>=4.17.3|<4.17.21')}&limit=1000`,
      undefined,
      (j) => ({ images: j.images.length, more: Boolean(j.nextCursor) }),
    );
    results.queries.bulkAdvisory = await timed(
      'POST /components/query, 10 packages (lodash, 4 popular, 5 rare)',
      'POST',
      '/api/v1/components/query',
      {
        packages: [
          { purl: 'pkg:npm/lodash', range: '>=4.17.0 <4.17.21' },
          { purl: 'pkg:npm/pkg0', range: '<3.0.0' },
          { purl: 'pkg:deb/pkg1' },
          { purl: 'pkg:pypi/pkg2', range: '>=2.0' },
          { purl: 'pkg:maven/org.example/pkg3', range: '[1.0,3.0)' },
          { purl: 'pkg:npm/pkg19995' },
          { purl: 'pkg:deb/pkg19996' },
          { purl: 'pkg:pypi/pkg19997' },
          { purl: 'pkg:golang/pkg19999' },
          { purl: 'pkg:npm/not-there' },
        ],
      },
      (j) => ({ imagesPerPackage: j.results.map((r) => r.images.length) }),
    );
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, 'bench/results/scanner-index.json'),
      JSON.stringify(results, null, 2) + '\n',
    );
    console.log('results: bench/results/scanner-index.json');
    await source.destroy();
  } finally {
    await svc?.close();
    await nats.cleanup();
    await s3.stop();
    if (keepSchema) console.log(`schema kept: ${schema.schema}`);
    else await schema.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
