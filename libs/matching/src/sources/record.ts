import { sha256Digest } from '@stella/canonical';
import type { z } from 'zod';
import type { MatchingErrorCode, RecordIssue } from '../errors';
import type { ParsedContent, SourceId, SourceRecord } from '../model';

export interface ReadOptions {
  /** Names the file, archive entry or upload in every issue. */
  readonly document: string;
  /** Largest record accepted, in bytes of UTF-8 (default 4 MiB). */
  readonly maxRecordBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** Collects records and issues of one read; a bad record adds an issue and the read goes on. */
export class RecordCollector {
  readonly records: SourceRecord[] = [];
  readonly issues: RecordIssue[] = [];

  constructor(readonly document: string) {}

  add(source: SourceId, key: string, raw: string, content: ParsedContent): void {
    this.records.push({ source, key, raw, contentHash: sha256Digest(raw), document: this.document, content });
  }

  error(code: MatchingErrorCode, message: string, at: { record?: string; field?: string } = {}): void {
    this.issues.push({ level: 'error', code, document: this.document, ...at, message });
  }

  warning(code: MatchingErrorCode, message: string, at: { record?: string; field?: string } = {}): void {
    this.issues.push({ level: 'warning', code, document: this.document, ...at, message });
  }

  result(): { records: SourceRecord[]; issues: RecordIssue[] } {
    return { records: this.records, issues: this.issues };
  }
}

/** `affected[2].package.ecosystem` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** First zod issue as a field and a message. */
export function firstIssue(error: z.ZodError, prefix = ''): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: prefix, message: 'invalid' };
  const field = fieldPath(issue.path, prefix);
  return { field, message: `${field || '(document)'}: ${issue.message}` };
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when text holds a C0/C1 control character or DEL (never plausible in names or versions). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
