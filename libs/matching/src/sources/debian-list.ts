import { compileAffected } from '@stella/versioning';
import type { AffectedPackage, Advisory } from '../model';
import { DEBIAN_RELEASES } from './debian-tracker';
import {
  byteLength,
  DEFAULT_MAX_RECORD_BYTES,
  hasControlCharacter,
  RecordCollector,
  type ReadOptions,
} from './record';

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

// `[24 Oct 2023] DSA-5532-1 openssl - security update` (old DSAs have no `-N` suffix).
const HEADER =
  /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] ((?:DSA|DLA|DTSA|ELA)-\d{1,6}(?:-\d{1,3})?)(?:\s+(.*))?$/;
const LOOKS_LIKE_HEADER = /^\[/;
// `\t{CVE-2023-5363 CVE-2023-5678}`
const IDS = /^\{([^}]*)\}$/;
// `\t[bookworm] - openssl 3.0.11-1~deb12u2` with an optional `(note)` after the version.
const RELEASE = /^\[([a-z][a-z0-9-]*)\] - (\S+)\s+(\S+)(?:\s+(.*))?$/;
const PACKAGE = /^[a-z0-9][a-z0-9+.-]{0,199}$/;
const VULN_ID = /^(CVE-\d{4}-\d{4,}|TEMP-\d{7}-[0-9A-F]{6}|[A-Z][A-Z0-9]*-[A-Za-z0-9-]{1,60})$/;
const MAX_LINE = 64 * 1024;

interface Block {
  readonly header: string;
  readonly headerLine: number;
  readonly lines: Array<{ text: string; number: number }>;
}

/**
 * The Debian security tracker's announcement lists, `data/DSA/list` and `data/DLA/list` (and
 * blocks in the same format, e.g. rebuilt from vuln-list-debian): one record per advisory block —
 * a header line `[date] DSA-n-r package - description`, then indented lines: `{CVE …}` (the ids it
 * fixes), `[codename] - package version` (the fixed version per release), `NOTE:` lines.
 * Each release line becomes an `affected` entry `Debian:<release>` with range introduced 0 / fixed
 * version; `<not-affected>` lines are left out; `<unfixed>` and `<end-of-life>` keep the release
 * affected with no fix. The record's raw text is the block's lines exactly as written.
 * A malformed block is refused with an issue naming the list, the advisory and the line.
 */
export function readDebianList(text: string, options: ReadOptions): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let current: Block | null = null;
  let orphaned = 0;
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const number = index + 1;
    if (line.trim() === '') return;
    if (LOOKS_LIKE_HEADER.test(line)) {
      current = { header: line, headerLine: number, lines: [] };
      blocks.push(current);
    } else if (current) (current as Block).lines.push({ text: line, number });
    else if (orphaned++ === 0)
      collector.error('SCHEMA_VIOLATION', `line ${number}: indented line before the first advisory header`, {
        record: `line ${number}`,
        field: `line ${number}`,
      });
  });
  if (blocks.length === 0 && orphaned === 0 && text.trim() !== '')
    collector.error('SCHEMA_VIOLATION', `${options.document}: no advisory header line ([date] DSA-…)`, {
      field: '(document)',
    });

  for (const block of blocks) {
    const raw = [block.header, ...block.lines.map((l) => l.text)].join('\n');
    const at = `line ${block.headerLine}`;
    if (byteLength(raw) > max) {
      collector.error('DOCUMENT_TOO_LARGE', `advisory at ${at} is over the ${max}-byte record limit`, {
        record: at,
      });
      continue;
    }
    const header = HEADER.exec(block.header);
    if (!header || block.header.length > MAX_LINE || hasControlCharacter(block.header.replace(/\t/g, ' '))) {
      collector.error(
        'SCHEMA_VIOLATION',
        `${at}: header "${block.header.slice(0, 120)}" is not "[DD Mon YYYY] DSA-n-r package - description"`,
        { record: at, field: `${at} header` },
      );
      continue;
    }
    const [, day, mon, year, id, rest] = header;
    const month = MONTHS[mon!];
    if (!month || Number(day) < 1 || Number(day) > 31) {
      collector.error('SCHEMA_VIOLATION', `${id} (${at}): date "${day} ${mon} ${year}" is not a date`, {
        record: id!,
        field: `${at} date`,
      });
      continue;
    }
    const published = `${year}-${month}-${day!.padStart(2, '0')}T00:00:00Z`;
    const aliases: string[] = [];
    const affected: AffectedPackage[] = [];
    let refused = false;
    for (const { text: lineText, number } of block.lines) {
      const body = lineText.trim();
      const field = `line ${number}`;
      if (body.startsWith('NOTE:')) continue;
      if (lineText.length > MAX_LINE || hasControlCharacter(body.replace(/\t/g, ' '))) {
        collector.error('SCHEMA_VIOLATION', `${id}: ${field} is too long or holds control characters`, {
          record: id!,
          field,
        });
        refused = true;
        break;
      }
      const ids = IDS.exec(body);
      if (ids) {
        for (const vuln of ids[1]!.split(/\s+/).filter(Boolean)) {
          if (!VULN_ID.test(vuln)) {
            collector.warning(
              'SCHEMA_VIOLATION',
              `${id}: ${field}: "${vuln.slice(0, 100)}" is not an id; left out`,
              {
                record: id!,
                field,
              },
            );
            continue;
          }
          if (!aliases.includes(vuln) && vuln !== id) aliases.push(vuln);
        }
        continue;
      }
      const release = RELEASE.exec(body);
      if (!release) {
        // One unreadable line costs that line, not the advisory: the rest of the block still says
        // which releases were fixed. Named, so the gap is visible.
        collector.warning(
          'SCHEMA_VIOLATION',
          `${id}: ${field} "${body.slice(0, 120)}" is neither {ids}, [release] - package version, nor NOTE:; line left out`,
          { record: id!, field },
        );
        continue;
      }
      const [, codename, pkg, version] = release;
      if (!PACKAGE.test(pkg!)) {
        collector.warning(
          'SCHEMA_VIOLATION',
          `${id}: ${field}: "${pkg!.slice(0, 100)}" is not a Debian source package; line left out`,
          {
            record: id!,
            field: `${field} package`,
          },
        );
        continue;
      }
      if (version === '<not-affected>') continue;
      const number_ = DEBIAN_RELEASES[codename!];
      if (!number_) {
        collector.warning(
          'UNKNOWN_ECOSYSTEM',
          `${id}: ${field}: release "${codename!.slice(0, 50)}" has no Debian version number; entry left out`,
          { record: id!, field: `${field} release` },
        );
        continue;
      }
      const ecosystem = `Debian:${number_}`;
      const open = version === '<unfixed>' || version === '<end-of-life>';
      if (!open && version!.startsWith('<')) {
        collector.warning(
          'INVALID_VERSION',
          `${id}: ${field}: unknown status ${version!.slice(0, 50)}; entry left out`,
          {
            record: id!,
            field: `${field} version`,
          },
        );
        continue;
      }
      const events = open ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed: version! }];
      const osv = { package: { ecosystem, name: pkg! }, ranges: [{ type: 'ECOSYSTEM', events }] };
      try {
        compileAffected(ecosystem, osv);
      } catch (error) {
        collector.warning('INVALID_VERSION', `${id}: ${field}: ${(error as Error).message}; entry left out`, {
          record: id!,
          field: `${field} version`,
        });
        continue;
      }
      affected.push({ ecosystem, name: pkg!, osv, fixedVersions: open ? [] : [version!] });
    }
    if (refused) continue;
    const advisory: Advisory = {
      id: id!,
      source: 'debian-list',
      aliases,
      ...(rest ? { summary: rest.slice(0, 1000) } : {}),
      published,
      cvss: [],
      cwes: [],
      affected,
      references: [`https://security-tracker.debian.org/tracker/${id}`],
    };
    collector.add('debian-list', id!, raw, { kind: 'advisory', advisory });
  }
  return collector.result();
}
