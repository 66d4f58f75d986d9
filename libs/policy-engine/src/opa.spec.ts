// No `opa` compiler exists on these machines: these tests load a module written by hand against
// the documented OPA wasm ABI (src/__fixtures__/stella-allow.wat, assembled with the wabt npm
// package), which is what `opa build -t wasm -e stella/allow policy.rego` would produce for a
// policy denying releases with a known exploited vulnerability.
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { compilePolicy, evaluatePolicy, PolicyError } from './index';
import { finding, image, input, policyDoc } from './__fixtures__/fixtures';
import { buildOpaTestModule } from './__fixtures__/opa-module';

const regoRule = (wasm: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  id: 'rego-kev',
  language: 'rego',
  entrypoint: 'stella/allow',
  wasm,
  ...extra,
});

describe('OPA/Rego rules through @open-policy-agent/opa-wasm', () => {
  let wasm: Uint8Array;
  let wasmV1: Uint8Array;
  beforeAll(async () => {
    wasm = await buildOpaTestModule(2);
    wasmV1 = await buildOpaTestModule(1);
  });

  const kevInput = () => input({ images: [image({ findings: [finding({ id: 'CVE-K', kev: true })] })] });

  it.each([
    ['ABI 1.2 (opa_eval fast path)', () => wasm],
    ['ABI 1.1 (evaluation context)', () => wasmV1],
  ])('loads a base64 module and evaluates the input: %s', (_name, bytes) => {
    const policy = compilePolicy(
      policyDoc({}, { rules: [regoRule({ base64: Buffer.from(bytes()).toString('base64') })] }),
    );
    const allow = evaluatePolicy(policy, input());
    expect(allow.rules).toEqual([
      { id: 'rego-kev', language: 'rego', outcome: 'pass', message: 'stella/allow allows', subjects: [] },
    ]);
    expect(allow.verdict).toBe('allow');
    const deny = evaluatePolicy(policy, kevInput());
    expect(deny.verdict).toBe('deny');
    expect(deny.rules[0]).toMatchObject({
      outcome: 'fail',
      message: 'rule rego-kev (stella/allow) denies: known exploited vulnerability present',
    });
  });

  it('loads a module by path from the bundle files and hashes the file into the policy hash', () => {
    const doc = policyDoc({}, { rules: [regoRule({ path: 'policy.wasm' })] });
    const p1 = compilePolicy(doc, { files: { 'policy.wasm': wasm } });
    const p2 = compilePolicy(doc, { files: { 'policy.wasm': wasmV1 } });
    expect(p1.policyHash).not.toBe(p2.policyHash);
    expect(evaluatePolicy(p1, kevInput()).verdict).toBe('deny');
  });

  it('loads the bundle.tar.gz that opa build writes (/policy.wasm, /data.json, /.manifest)', () => {
    const bundle = gzipSync(
      createTar([
        {
          name: '.manifest',
          data: '{"revision":"","roots":[""],"wasm":[{"entrypoint":"stella/allow","module":"/policy.wasm"}]}',
        },
        { name: 'policy.rego', data: 'package stella\n' },
        { name: 'policy.wasm', data: wasm },
        { name: 'data.json', data: '{"allowedRegistries":["registry.shop.example"]}' },
      ]),
    );
    const p = compilePolicy(policyDoc({}, { rules: [regoRule({ path: 'bundle.tar.gz' })] }), {
      files: { 'bundle.tar.gz': new Uint8Array(bundle) },
    });
    expect(evaluatePolicy(p, input()).verdict).toBe('allow');
    expect(evaluatePolicy(p, kevInput()).verdict).toBe('deny');
    const noWasm = gzipSync(createTar([{ name: 'data.json', data: '{}' }]));
    expect(() =>
      compilePolicy(policyDoc({}, { rules: [regoRule({ base64: noWasm.toString('base64') })] })),
    ).toThrow(
      expect.objectContaining({
        code: 'OPA_BUNDLE',
        message: expect.stringContaining('has no /policy.wasm'),
      }),
    );
  });

  it('refuses a missing file, bad bytes and an entrypoint the module does not export', () => {
    const err = (doc: unknown, files?: Record<string, Uint8Array>): PolicyError => {
      try {
        compilePolicy(doc, { files });
      } catch (e) {
        return e as PolicyError;
      }
      throw new Error('compiled');
    };
    expect(err(policyDoc({}, { rules: [regoRule({ path: 'policy.wasm' })] }))).toMatchObject({
      code: 'OPA_BUNDLE',
      problems: [{ path: 'rules/0/wasm/path', message: 'file policy.wasm is not in the policy bundle' }],
    });
    expect(
      err(policyDoc({}, { rules: [regoRule({ base64: Buffer.from('not wasm at all').toString('base64') })] }))
        .code,
    ).toBe('OPA_BUNDLE');
    expect(
      err(
        policyDoc(
          {},
          {
            rules: [
              regoRule({ base64: Buffer.from(wasm).toString('base64') }, { entrypoint: 'stella/deny' }),
            ],
          },
        ),
      ),
    ).toMatchObject({
      code: 'OPA_BUNDLE',
      problems: [
        {
          path: 'rules/0 (rego-kev)/entrypoint',
          message: 'not exported by the module (it has: stella/allow, stella/bad)',
        },
      ],
    });
    expect(err(policyDoc({}, { rules: [regoRule({ path: '../outside.wasm' })] })).code).toBe('POLICY_SCHEMA');
  });

  it('refuses a parsed policy that canonical JSON cannot represent (NaN in the module data)', () => {
    const doc = policyDoc(
      {},
      { rules: [regoRule({ base64: Buffer.from(wasm).toString('base64') }, { data: { x: Number.NaN } })] },
    );
    expect(() => compilePolicy(doc)).toThrow(expect.objectContaining({ code: 'POLICY_SCHEMA' }));
  });

  it('a malformed decision is a rule error and denies (fail closed)', () => {
    const policy = compilePolicy(
      policyDoc(
        {},
        { rules: [regoRule({ base64: Buffer.from(wasm).toString('base64') }, { entrypoint: 'stella/bad' })] },
      ),
    );
    const v = evaluatePolicy(policy, input());
    expect(v.verdict).toBe('deny');
    expect(v.rules[0]).toMatchObject({
      outcome: 'error',
      message:
        'rule rego-kev: stella/bad must be a bool or {allow: bool, reasons: [string]}; denied (fail closed)',
    });
  });

  it('evaluates repeatedly through the same instance with the same answers', () => {
    const policy = compilePolicy(
      policyDoc({}, { rules: [regoRule({ base64: Buffer.from(wasm).toString('base64') })] }),
    );
    const outcomes = Array.from(
      { length: 50 },
      (_, i) => evaluatePolicy(policy, i % 2 ? kevInput() : input()).verdict,
    );
    expect(outcomes).toEqual(Array.from({ length: 50 }, (_, i) => (i % 2 ? 'deny' : 'allow')));
  });
});
