import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  createNoteSigner,
  createNoteVerifier,
  formatCheckpoint,
  formatSignerKey,
  leafHash,
  openCheckpoint,
  openNote,
  parseCheckpointText,
  parseSignerKey,
  parseUnverifiedCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
} from './index';

// The example key and note of golang.org/x/mod/sumdb/note (note_test.go): Ed25519 is deterministic,
// so signing the same text with the same key must reproduce the published signature byte for byte.
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIG_LINE =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const NOTE = `${TEXT}\n${SIG_LINE}`;

describe('signed notes (C2SP signed-note)', () => {
  test('the Go reference key parses, and its key hash is SHA-256(name || \\n || 0x01 || key)[:4]', () => {
    const verifier = parseVerifierKey(VKEY);
    expect(verifier.name).toBe('PeterNeumann');
    expect(verifier.keyHash).toBe(0xc74f20a3);
    expect(verifier.vkey).toBe(VKEY);
  });

  test('signing the reference text with the reference key reproduces the published note', () => {
    const signer = parseSignerKey(SKEY);
    expect(signer.verifier.vkey).toBe(VKEY);
    expect(signNote(TEXT, [signer])).toBe(NOTE);
    expect(formatSignerKey('PeterNeumann', parseSignerKeyPrivate())).toBe(SKEY);
  });

  test('the published note opens with the verifier key and fails when a byte changes', () => {
    const opened = openNote(NOTE, [parseVerifierKey(VKEY)]);
    expect(opened.text).toBe(TEXT);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(() => openNote(NOTE.replace('cryptography', 'cryptographY'), [parseVerifierKey(VKEY)])).toThrow(
      expect.objectContaining({ code: 'NOTE_UNVERIFIED' }),
    );
  });

  test('every truncation and every single-byte change of the verifier key is refused', () => {
    for (let end = 1; end < VKEY.length; end += 1) {
      expect(() => parseVerifierKey(VKEY.slice(0, end))).toThrow(
        expect.objectContaining({ code: 'KEY_INVALID' }),
      );
    }
    for (let i = 0; i < VKEY.length; i += 1) {
      const mangled = VKEY.slice(0, i) + String.fromCharCode(VKEY.charCodeAt(i) + 1) + VKEY.slice(i + 1);
      expect(() => parseVerifierKey(mangled)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    }
  });

  test('signatures of unknown keys are ignored, but an unverified note is refused', () => {
    const other = createNoteSigner('other.example/log', generateKeyPairSync('ed25519').privateKey);
    const peter = parseSignerKey(SKEY);
    const both = signNote(TEXT, [other, peter]);
    expect(openNote(both, [parseVerifierKey(VKEY)]).verified).toHaveLength(1);
    const onlyOther = signNote(TEXT, [other]);
    expect(() => openNote(onlyOther, [parseVerifierKey(VKEY)])).toThrow(
      expect.objectContaining({ code: 'NOTE_UNVERIFIED' }),
    );
  });

  test('a known key with a bad signature rejects the whole note', () => {
    const impostor = createNoteSigner('PeterNeumann', generateKeyPairSync('ed25519').privateKey);
    // Same name and a forged key hash: the verifier must check, not skip, this signature.
    const forged = { ...impostor, keyHash: 0xc74f20a3 };
    const note = signNote(TEXT, [parseSignerKey(SKEY), forged]);
    expect(() => openNote(note, [parseVerifierKey(VKEY)])).toThrow(
      expect.objectContaining({ code: 'NOTE_UNVERIFIED' }),
    );
  });

  test.each([
    ['no blank line', `${TEXT}${SIG_LINE}`],
    ['no final newline', NOTE.slice(0, -1)],
    ['control character', NOTE.replace('you', 'y\u0001u')],
    ['no em dash', NOTE.replace('\u2014', '-')],
    ['non-canonical base64', NOTE.replace('AM=', 'AN=')],
    ['signature too short', `${TEXT}\n\u2014 PeterNeumann AAAA\n`],
  ])('a malformed note is refused: %s', (_label, note) => {
    expect(() => openNote(note, [parseVerifierKey(VKEY)])).toThrow(
      expect.objectContaining({ code: 'NOTE_MALFORMED' }),
    );
  });

  test('key names with spaces or plus signs are refused', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(() => createNoteSigner('a b', privateKey)).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
    expect(() => createNoteSigner('a+b', privateKey)).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
    expect(() =>
      createNoteSigner('p256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
    ).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});

function parseSignerKeyPrivate() {
  // The seed of SKEY as a KeyObject, to check formatSignerKey round-trips the Go format.
  const seed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
  return createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const origin = 'stella.example/log';
  const signer = createNoteSigner(origin, privateKey);
  const vkey = createNoteVerifier(origin, publicKey).vkey;
  const checkpoint = { origin, size: 20852163, rootHash: leafHash(Buffer.from('x')), extensions: [] };

  test('formats origin, size and base64 root on three lines', () => {
    const text = formatCheckpoint(checkpoint);
    expect(text).toBe(`${origin}\n20852163\n${checkpoint.rootHash.toString('base64')}\n`);
    expect(parseCheckpointText(text)).toEqual(checkpoint);
  });

  test('a signed checkpoint opens with only the vkey and the expected origin', () => {
    const note = signCheckpoint(checkpoint, [signer]);
    expect(note).toMatch(
      new RegExp(`^${origin}\\n20852163\\n[A-Za-z0-9+/=]{44}\\n\\n\u2014 ${origin} [A-Za-z0-9+/=]+\\n$`),
    );
    const opened = openCheckpoint(note, [vkey], { origin });
    expect(opened.size).toBe(20852163);
    expect(opened.rootHash.equals(checkpoint.rootHash)).toBe(true);
    expect(parseUnverifiedCheckpoint(note).size).toBe(20852163);
    expect(() => openCheckpoint(note, [vkey], { origin: 'other.example/log' })).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT_MALFORMED' }),
    );
    expect(() => openCheckpoint(note.replace('20852163', '20852164'), [vkey])).toThrow(
      expect.objectContaining({ code: 'NOTE_UNVERIFIED' }),
    );
    const stranger = createNoteVerifier(origin, generateKeyPairSync('ed25519').publicKey).vkey;
    expect(() => openCheckpoint(note, [stranger])).toThrow(
      expect.objectContaining({ code: 'NOTE_UNVERIFIED' }),
    );
  });

  test.each([
    ['leading zero', `${origin}\n012\n${checkpoint.rootHash.toString('base64')}\n`],
    ['negative size', `${origin}\n-1\n${checkpoint.rootHash.toString('base64')}\n`],
    ['short root', `${origin}\n1\nAAAA\n`],
    ['missing root', `${origin}\n1\n`],
    ['empty origin', `\n1\n${checkpoint.rootHash.toString('base64')}\n`],
    ['empty extension line', `${origin}\n1\n${checkpoint.rootHash.toString('base64')}\n\nx\n`],
  ])('malformed checkpoint text is refused: %s', (_label, text) => {
    expect(() => parseCheckpointText(text)).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT_MALFORMED' }),
    );
  });
});
