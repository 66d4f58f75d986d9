import type { EpssScore } from '../model';
import { byteLength, RecordCollector, type ReadOptions } from './record';

/** A full EPSS file is ~10 MB (about 250k CVEs); refused past this. */
export const DEFAULT_MAX_EPSS_BYTES = 256 * 1024 * 1024;

const HEADER = /^#model_version:([^,\s]{1,64}),score_date:(\S{10,40})$/;
const CVE = /^CVE-\d{4}-\d{4,}$/;
const NUMBER = /^(0(\.\d{1,12})?|1(\.0{1,12})?|\d?\.\d{1,12}(e-\d{1,3})?)$/i;

/**
 * FIRST's daily EPSS CSV (epss_scores-YYYY-MM-DD.csv): a `#model_version:…,score_date:…` comment
 * line, the header `cve,epss,percentile`, then one row per CVE. The file is one record (key `epss`):
 * a newer file supersedes the previous. Bad rows are left out with a warning naming the line.
 */
export function readEpssCsv(text: string, options: ReadOptions): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_EPSS_BYTES;
  if (byteLength(text) > max) {
    collector.error('DOCUMENT_TOO_LARGE', `${options.document} is over the ${max}-byte limit`);
    return collector.result();
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) {
    collector.error(
      'SCHEMA_VIOLATION',
      `${options.document}: line 1: expected "#model_version:<v>,score_date:<date>"`,
      { record: 'line 1', field: 'model_version' },
    );
    return collector.result();
  }
  if ((lines[1] ?? '').trim() !== 'cve,epss,percentile') {
    collector.error(
      'SCHEMA_VIOLATION',
      `${options.document}: line 2: expected the header "cve,epss,percentile"`,
      { record: 'line 2' },
    );
    return collector.result();
  }
  const modelVersion = header[1]!;
  const scoreDate = header[2]!;
  const scores: EpssScore[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const [cve, epss, percentile, extra] = line.split(',');
    const record = `line ${i + 1}`;
    if (extra !== undefined || !cve || !CVE.test(cve)) {
      collector.warning('SCHEMA_VIOLATION', `${record}: expected "CVE-YYYY-NNNN,<epss>,<percentile>"`, {
        record,
        field: 'cve',
      });
      continue;
    }
    const e = Number(epss);
    const p = Number(percentile);
    if (
      !NUMBER.test(epss ?? '') ||
      !NUMBER.test(percentile ?? '') ||
      !(e >= 0 && e <= 1) ||
      !(p >= 0 && p <= 1)
    ) {
      collector.warning(
        'SCHEMA_VIOLATION',
        `${record} (${cve}): epss and percentile must be numbers between 0 and 1`,
        { record: cve, field: 'epss' },
      );
      continue;
    }
    scores.push({ cveId: cve, epss: e, percentile: p, modelVersion, scoreDate });
  }
  collector.add('epss', 'epss', text, { kind: 'epss', modelVersion, scoreDate, scores });
  return collector.result();
}
