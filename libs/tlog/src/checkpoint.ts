import { HASH_SIZE } from './hashing';
import { TlogError } from './errors';
import {
  decodeBase64Strict,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
} from './note';
import { checkIndex } from './validation';

/** A C2SP tlog checkpoint: the log's origin, its size and the RFC 6962 root at that size. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  /** Opaque extension lines (not recommended; Stella writes none). */
  readonly extensions: readonly string[];
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  if (origin.length === 0 || origin.includes('\n')) {
    throw new TlogError('CHECKPOINT_MALFORMED', 'origin must be one non-empty line');
  }
  checkIndex(size, 'size');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) {
    throw new TlogError('CHECKPOINT_MALFORMED', 'root hash must be 32 bytes');
  }
  for (const line of extensions) {
    if (line.length === 0 || line.includes('\n'))
      throw new TlogError('CHECKPOINT_MALFORMED', 'extension lines must be non-empty single lines');
  }
  return [origin, String(size), Buffer.from(rootHash).toString('base64'), ...extensions].join('\n') + '\n';
}

export function parseCheckpointText(text: string): Checkpoint {
  if (!text.endsWith('\n'))
    throw new TlogError('CHECKPOINT_MALFORMED', 'checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || origin.length === 0)
    throw new TlogError('CHECKPOINT_MALFORMED', 'origin line is empty');
  if (
    sizeLine === undefined ||
    !/^(0|[1-9][0-9]*)$/.test(sizeLine) ||
    !Number.isSafeInteger(Number(sizeLine))
  ) {
    throw new TlogError('CHECKPOINT_MALFORMED', 'tree size must be a decimal number without leading zeros');
  }
  const rootHash = rootLine === undefined ? undefined : decodeBase64Strict(rootLine);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    throw new TlogError('CHECKPOINT_MALFORMED', 'root hash must be the base64 of 32 bytes');
  }
  if (extensions.some((line) => line.length === 0)) {
    throw new TlogError('CHECKPOINT_MALFORMED', 'extension lines must be non-empty');
  }
  return { origin, size: Number(sizeLine), rootHash, extensions };
}

/** The signed checkpoint note (the key name should equal the origin). */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/** Parses a checkpoint note without verifying it (for display); never trust its contents. */
export function parseUnverifiedCheckpoint(note: string): Checkpoint {
  return parseCheckpointText(parseNote(note).text);
}

export interface VerifiedCheckpoint extends Checkpoint {
  readonly note: OpenedNote;
}

/**
 * Verifies a checkpoint note with only the log's public key(s) (vkey strings or verifiers), and
 * optionally that it comes from the expected origin.
 */
export function openCheckpoint(
  note: string,
  keys: readonly (string | NoteVerifier)[],
  options: { origin?: string } = {},
): VerifiedCheckpoint {
  const verifiers = keys.map((key) => (typeof key === 'string' ? parseVerifierKey(key) : key));
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpointText(opened.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new TlogError(
      'CHECKPOINT_MALFORMED',
      `checkpoint origin is ${checkpoint.origin}, expected ${options.origin}`,
      {
        origin: checkpoint.origin,
        expected: options.origin,
      },
    );
  }
  return { ...checkpoint, note: opened };
}
