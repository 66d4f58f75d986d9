import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import {
  buildDecisionRecordStatement,
  createKeySigner,
  signEnvelope,
  signStatement,
  verifyAttestation,
  verifyEnvelope,
  type DsseEnvelope,
} from '@stella/attest';
import { sampleDecisionRecord } from '../src/__fixtures__/decision-record';

/**
 * Interop with an independent DSSE implementation: Debian's python3-securesystemslib verifies
 * envelopes signed here, and signs envelopes verified here. PAE is recomputed in Python.
 * Needs /usr/bin/python3 with securesystemslib (apt-get install -y python3-securesystemslib).
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'interop', 'dsse_securesystemslib.py');

function securesystemslibAvailable(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import securesystemslib.signer'], { stdio: 'ignore' });
  return probe.status === 0;
}

const available = securesystemslibAvailable();
if (!available && process.env.CI) {
  throw new Error(
    'CI requires python3-securesystemslib for the DSSE interop test: apt-get install -y python3-securesystemslib',
  );
}
if (!available) {
  console.warn(
    'SKIPPED dsse-securesystemslib interop: /usr/bin/python3 lacks securesystemslib (apt-get install -y python3-securesystemslib)',
  );
}
const describeInterop = available ? describe : describe.skip;

interface SslibKeyDict {
  keytype: string;
  scheme: string;
  keyval: { public: string; private?: string };
}

function sslibKey(
  kind: 'ed25519' | 'p256',
  keys: { publicKey: KeyObject; privateKey: KeyObject },
  withPrivate = false,
): SslibKeyDict {
  if (kind === 'ed25519') {
    const jwk = keys.privateKey.export({ format: 'jwk' });
    const publicHex = Buffer.from(jwk.x!, 'base64url').toString('hex');
    return {
      keytype: 'ed25519',
      scheme: 'ed25519',
      keyval: withPrivate
        ? { public: publicHex, private: Buffer.from(jwk.d!, 'base64url').toString('hex') }
        : { public: publicHex },
    };
  }
  const publicPem = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  return {
    keytype: 'ecdsa',
    scheme: 'ecdsa-sha2-nistp256',
    keyval: withPrivate
      ? { public: publicPem, private: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() }
      : { public: publicPem },
  };
}

interface PythonRequest {
  verify?: { key: SslibKeyDict; keyid: string; envelope: DsseEnvelope }[];
  sign?: { key: SslibKeyDict; keyid: string; payloadType: string; payload: string }[];
}

function python(request: PythonRequest): { verify: boolean[]; sign: DsseEnvelope[] } {
  const out = execFileSync(PYTHON, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8' });
  return JSON.parse(out) as { verify: boolean[]; sign: DsseEnvelope[] };
}

describeInterop('DSSE interop with python3-securesystemslib', () => {
  const kinds = ['ed25519', 'p256'] as const;
  const keyPairs = {
    ed25519: generateKeyPairSync('ed25519'),
    p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  };

  it.each(kinds)(
    'securesystemslib verifies %s envelopes signed by @stella/attest, and refuses tampered ones',
    async (kind) => {
      const keys = keyPairs[kind];
      const signer = createKeySigner(keys.privateKey, { keyId: `stella-${kind}` });
      const payloadType = 'application/vnd.in-toto+json';
      const good = await signEnvelope(
        Buffer.from('{"_type":"https://in-toto.io/Statement/v1","x":"é"}'),
        payloadType,
        [signer],
      );
      const tamperedPayload = {
        ...good,
        payload: Buffer.from('{"_type":"https://in-toto.io/Statement/v1","x":"e"}').toString('base64'),
      };
      const tamperedType = { ...good, payloadType: 'application/vnd.in-toto.other+json' };
      const urlSafe = {
        ...good,
        payload: Buffer.from(good.payload, 'base64').toString('base64url'),
        signatures: [
          {
            keyid: good.signatures[0]!.keyid,
            sig: Buffer.from(good.signatures[0]!.sig, 'base64').toString('base64url'),
          },
        ],
      };
      const otherKey = sslibKey(
        kind,
        kind === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      );

      const key = sslibKey(kind, keys);
      const answer = python({
        verify: [
          { key, keyid: signer.keyId, envelope: good },
          { key, keyid: signer.keyId, envelope: tamperedPayload },
          { key, keyid: signer.keyId, envelope: tamperedType },
          { key, keyid: signer.keyId, envelope: urlSafe },
          { key: otherKey, keyid: signer.keyId, envelope: good },
        ],
      });
      expect(answer.verify).toEqual([true, false, false, true, false]);
    },
  );

  it('securesystemslib verifies a signed decision record attestation (canonical JSON payload, two signatures)', async () => {
    const signers = kinds.map((kind) =>
      createKeySigner(keyPairs[kind].privateKey, { keyId: `stella-${kind}` }),
    );
    const envelope = await signStatement(buildDecisionRecordStatement(sampleDecisionRecord), signers);
    const answer = python({
      verify: kinds.map((kind) => ({
        key: sslibKey(kind, keyPairs[kind]),
        keyid: `stella-${kind}`,
        envelope,
      })),
    });
    expect(answer.verify).toEqual([true, true]);
  });

  it.each(kinds)('@stella/attest verifies %s envelopes signed by securesystemslib', async (kind) => {
    const keys = keyPairs[kind];
    const statement = buildDecisionRecordStatement(sampleDecisionRecord);
    const ts = await signStatement(statement, [createKeySigner(keys.privateKey)]);
    const [pythonEnvelope] = python({
      sign: [
        {
          key: sslibKey(kind, keys, true),
          keyid: `py-${kind}`,
          payloadType: ts.payloadType,
          payload: ts.payload,
        },
      ],
    }).sign;

    const verified = await verifyAttestation(pythonEnvelope, [
      { keyId: `py-${kind}`, publicKey: keys.publicKey },
    ]);
    expect(verified.verifiedKeyIds).toEqual([`py-${kind}`]);
    expect(verified.statement.predicate).toEqual(sampleDecisionRecord);

    const other =
      kind === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(verifyEnvelope(pythonEnvelope, [{ publicKey: other.publicKey }])).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });
});
