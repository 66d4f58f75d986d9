import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { TlogError } from './errors';

/** Signature type byte of plain Ed25519 note signatures (C2SP signed-note). */
export const NOTE_ED25519_TYPE = 0x01;
/** The spec requires accepting at least 16 signatures; more is a hostile note. */
export const MAX_NOTE_SIGNATURES = 100;
export const MAX_NOTE_BYTES = 1024 * 1024;

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (RFC 4648 section 4, padded, canonical trailing bits). */
export function decodeBase64Strict(value: string): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}

/** Key names: non-empty, no Unicode spaces, no '+' (the vkey separator). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/\p{Cc}/u.test(name) && name.isWellFormed();
}

/** key ID = first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || 32-byte public key). */
export function noteKeyHash(name: string, ed25519PublicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, NOTE_ED25519_TYPE]))
    .update(ed25519PublicKey)
    .digest();
  return digest.readUInt32BE(0);
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  verify(text: Buffer, signature: Buffer): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyHash: number;
  sign(text: Buffer): Buffer;
}

export interface Ed25519NoteVerifier extends NoteVerifier {
  readonly publicKey: KeyObject;
  /** `<name>+<hash hex>+<base64(0x01 || public key)>`, what operators pin. */
  readonly vkey: string;
}

function rawEd25519PublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TlogError('KEY_INVALID', `note keys must be Ed25519, got ${key.asymmetricKeyType ?? key.type}`);
  }
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new TlogError('KEY_INVALID', 'note key names must be non-empty and hold no spaces or "+"', {
      name,
    });
  }
}

const hashHex = (keyHash: number): string => keyHash.toString(16).padStart(8, '0');

function toKeyObject(key: KeyObject | string, kind: 'public' | 'private'): KeyObject {
  if (typeof key !== 'string') return key;
  try {
    return kind === 'private' ? createPrivateKey(key) : createPublicKey(key);
  } catch (cause) {
    throw new TlogError('KEY_INVALID', `cannot parse the ${kind} key`, {}, { cause });
  }
}

export function createNoteVerifier(name: string, publicKey: KeyObject | string): Ed25519NoteVerifier {
  checkName(name);
  const key = toKeyObject(publicKey, 'public');
  const raw = rawEd25519PublicKey(key);
  const verifyKey = key.type === 'private' ? createPublicKey(key) : key;
  const keyHash = noteKeyHash(name, raw);
  const vkey = `${name}+${hashHex(keyHash)}+${Buffer.concat([Buffer.from([NOTE_ED25519_TYPE]), raw]).toString('base64')}`;
  return {
    name,
    keyHash,
    publicKey: verifyKey,
    vkey,
    verify: (text, signature) => signature.length === 64 && verify(null, text, verifyKey, signature),
  };
}

/** Parses a verifier key `<name>+<hash hex>+<base64(0x01 || 32-byte Ed25519 key)>`. */
export function parseVerifierKey(vkey: string): Ed25519NoteVerifier {
  if (typeof vkey !== 'string') throw new TlogError('KEY_INVALID', 'verifier key must be a string');
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new TlogError('KEY_INVALID', 'verifier key must be <name>+<hash>+<key>');
  const name = vkey.slice(0, first);
  const hash = vkey.slice(first + 1, second);
  const material = decodeBase64Strict(vkey.slice(second + 1));
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(hash))
    throw new TlogError('KEY_INVALID', 'verifier key hash must be 8 lowercase hex digits');
  if (material === undefined || material.length !== 33 || material[0] !== NOTE_ED25519_TYPE) {
    throw new TlogError(
      'KEY_INVALID',
      'verifier key material must be base64(0x01 || 32-byte Ed25519 public key)',
    );
  }
  const raw = material.subarray(1);
  if (noteKeyHash(name, raw) !== parseInt(hash, 16)) {
    throw new TlogError('KEY_INVALID', 'verifier key hash does not match its name and key', { name });
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    });
  } catch (cause) {
    throw new TlogError('KEY_INVALID', 'verifier key is not a valid Ed25519 public key', {}, { cause });
  }
  return createNoteVerifier(name, publicKey);
}

export function createNoteSigner(
  name: string,
  privateKey: KeyObject | string,
): NoteSigner & { verifier: Ed25519NoteVerifier } {
  checkName(name);
  const key = toKeyObject(privateKey, 'private');
  if (key.type !== 'private') throw new TlogError('KEY_INVALID', 'a note signer needs a private key');
  const verifier = createNoteVerifier(name, key);
  return { name, keyHash: verifier.keyHash, verifier, sign: (text) => sign(null, text, key) };
}

/** Parses `PRIVATE+KEY+<name>+<hash hex>+<base64(0x01 || 32-byte seed)>` (the Go note signer key format). */
export function parseSignerKey(skey: string): NoteSigner & { verifier: Ed25519NoteVerifier } {
  const prefix = 'PRIVATE+KEY+';
  if (typeof skey !== 'string' || !skey.startsWith(prefix)) {
    throw new TlogError('KEY_INVALID', 'signer key must start with PRIVATE+KEY+');
  }
  const rest = skey.slice(prefix.length);
  const first = rest.indexOf('+');
  const second = first < 0 ? -1 : rest.indexOf('+', first + 1);
  if (second < 0) throw new TlogError('KEY_INVALID', 'signer key must be PRIVATE+KEY+<name>+<hash>+<key>');
  const name = rest.slice(0, first);
  const hash = rest.slice(first + 1, second);
  const material = decodeBase64Strict(rest.slice(second + 1));
  if (material === undefined || material.length !== 33 || material[0] !== NOTE_ED25519_TYPE) {
    throw new TlogError('KEY_INVALID', 'signer key material must be base64(0x01 || 32-byte Ed25519 seed)');
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, material.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
  });
  const signer = createNoteSigner(name, privateKey);
  if (hashHex(signer.keyHash) !== hash)
    throw new TlogError('KEY_INVALID', 'signer key hash does not match its key');
  return signer;
}

/** Formats an Ed25519 private key as a Go-compatible signer key string. */
export function formatSignerKey(name: string, privateKey: KeyObject): string {
  const signer = createNoteSigner(name, privateKey);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(ED25519_PKCS8_PREFIX.length);
  return `PRIVATE+KEY+${name}+${hashHex(signer.keyHash)}+${Buffer.concat([Buffer.from([NOTE_ED25519_TYPE]), seed]).toString('base64')}`;
}

/** Any ASCII control character other than newline (the spec forbids them in notes). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}

function checkNoteText(text: string, what: string): void {
  if (!text.isWellFormed() || hasControlCharacter(text)) {
    throw new TlogError(
      'NOTE_MALFORMED',
      `${what} must be UTF-8 without control characters other than newline`,
    );
  }
}

/** Signs note text (which must end in a newline) with every signer: the signed-note string. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkNoteText(text, 'note text');
  if (!text.endsWith('\n')) throw new TlogError('NOTE_MALFORMED', 'note text must end with a newline');
  if (signers.length === 0) throw new TlogError('INVALID_ARGUMENT', 'a note needs at least one signer');
  const body = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    checkName(signer.name);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(signer.keyHash >>> 0);
    return `\u2014 ${signer.name} ${Buffer.concat([prefix, signer.sign(body)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyHash: number;
  readonly signature: Buffer;
}

export interface SignedNote {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Splits a signed note into text and signature lines, without verifying anything. */
export function parseNote(note: string): SignedNote {
  if (typeof note !== 'string') throw new TlogError('NOTE_MALFORMED', 'a note must be a string');
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) {
    throw new TlogError('NOTE_MALFORMED', `a note may hold at most ${MAX_NOTE_BYTES} bytes`);
  }
  checkNoteText(note, 'a note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new TlogError('NOTE_MALFORMED', 'a note needs a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) throw new TlogError('NOTE_MALFORMED', 'signature lines must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new TlogError('NOTE_MALFORMED', `a note may carry at most ${MAX_NOTE_SIGNATURES} signatures`);
  }
  const signatures = lines.map((line, i) => {
    const match = /^\u2014 (\S+) (\S+)$/u.exec(line);
    const name = match?.[1];
    const bytes = match?.[2] === undefined ? undefined : decodeBase64Strict(match[2]);
    if (name === undefined || !isValidKeyName(name) || bytes === undefined || bytes.length < 5) {
      throw new TlogError('NOTE_MALFORMED', `signature line ${i + 1} is not "— <name> <base64>"`, {
        line: i + 1,
      });
    }
    return { name, keyHash: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
  });
  return { text, signatures };
}

export interface OpenedNote extends SignedNote {
  /** Signatures that verified against a known key. */
  readonly verified: readonly NoteSignature[];
}

/**
 * Verifies a signed note: signatures of unknown keys are ignored (as the spec requires), a known
 * key's bad signature rejects the note, and at least one known key must have signed.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = parseNote(note);
  const body = Buffer.from(parsed.text, 'utf8');
  const verified: NoteSignature[] = [];
  for (const signature of parsed.signatures) {
    const known = verifiers.filter((v) => v.name === signature.name && v.keyHash === signature.keyHash);
    if (known.length > 1) {
      throw new TlogError(
        'KEY_INVALID',
        `more than one trusted key is named ${signature.name} with hash ${hashHex(signature.keyHash)}`,
      );
    }
    const verifier = known[0];
    if (verifier === undefined) continue;
    if (!verifier.verify(body, signature.signature)) {
      throw new TlogError('NOTE_UNVERIFIED', `signature of ${signature.name} does not verify`, {
        name: signature.name,
      });
    }
    verified.push(signature);
  }
  if (verified.length === 0) {
    throw new TlogError('NOTE_UNVERIFIED', 'no signature of a trusted key', {
      signers: parsed.signatures.map((s) => s.name),
    });
  }
  return { ...parsed, verified };
}
