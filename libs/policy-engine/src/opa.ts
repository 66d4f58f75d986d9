import { gunzipSync } from 'node:zlib';
import { loadPolicySync } from '@open-policy-agent/opa-wasm';
import { parseTar } from 'nanotar';
import { PolicyError } from './errors';

export type RegoOutcome = { ok: true; allow: boolean; reasons: string[] } | { ok: false; error: string };

export interface CompiledRego {
  readonly entrypoint: string;
  evaluate(input: unknown): RegoOutcome;
}

type LoadedPolicy = ReturnType<typeof loadPolicySync>;

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** What a rule's `wasm` bytes hold: the module, and the bundle's data document if they were a bundle. */
export interface OpaModuleSource {
  readonly wasm: Uint8Array;
  readonly data?: unknown;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const bundleFile = (name: string): string => name.replace(/^\.?\//, '');

/**
 * Accepts either a raw wasm module (`policy.wasm`) or the bundle `opa build -t wasm` writes
 * (`bundle.tar.gz`: `/policy.wasm`, `/data.json`, `/.manifest`, the sources). Decompression and tar
 * parsing are in memory: no I/O.
 */
export function opaModuleSource(bytes: Uint8Array, path: string): OpaModuleSource {
  if (WASM_MAGIC.every((b, i) => bytes[i] === b)) return { wasm: bytes };
  const fail = (message: string, cause?: unknown): never => {
    throw new PolicyError('OPA_BUNDLE', `${path}: ${message}`, [{ path: `${path}/wasm`, message }], {
      cause,
    });
  };
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    return fail('neither a wasm module nor an OPA bundle (bundle.tar.gz from opa build -t wasm)');
  }
  let entries: { name: string; data?: Uint8Array }[];
  try {
    entries = parseTar(gunzipSync(bytes, { maxOutputLength: 64 * 1024 * 1024 }));
  } catch (err) {
    return fail(`the OPA bundle cannot be read: ${messageOf(err)}`, err);
  }
  const wasm = entries.find((e) => bundleFile(e.name) === 'policy.wasm')?.data;
  if (!wasm)
    return fail('the OPA bundle has no /policy.wasm: build it with opa build -t wasm -e <entrypoint>');
  const dataFile = entries.find((e) => bundleFile(e.name) === 'data.json')?.data;
  if (!dataFile) return { wasm };
  try {
    return { wasm, data: JSON.parse(Buffer.from(dataFile).toString('utf8')) as unknown };
  } catch (err) {
    return fail(`the OPA bundle's /data.json is not JSON: ${messageOf(err)}`, err);
  }
}

/**
 * Loads an OPA wasm module (`opa build -t wasm -e <entrypoint>`, file `/policy.wasm` of the
 * bundle) synchronously and keeps the instance: evaluation reuses it. The entrypoint must be one
 * the module exports. The decision it returns is either a bool (`true`: pass) or an object
 * `{allow: bool, reasons?: string[]}`; an undefined decision (empty result set) fails.
 */
export function loadRego(wasm: Uint8Array, entrypoint: string, data: unknown, path: string): CompiledRego {
  let policy: LoadedPolicy;
  try {
    const bytes = new Uint8Array(wasm); // own ArrayBuffer, as the SDK wants
    policy = loadPolicySync(bytes.buffer);
    if (data !== undefined) policy.setData(data as object);
  } catch (err) {
    throw new PolicyError(
      'OPA_BUNDLE',
      `${path}: the OPA wasm module does not load: ${messageOf(err)}`,
      [{ path: `${path}/wasm`, message: `does not load: ${messageOf(err)}` }],
      { cause: err },
    );
  }
  const entrypoints = (policy as unknown as { entrypoints: Record<string, number> }).entrypoints ?? {};
  if (!Object.prototype.hasOwnProperty.call(entrypoints, entrypoint)) {
    const known = Object.keys(entrypoints).sort().join(', ') || 'none';
    throw new PolicyError(
      'OPA_BUNDLE',
      `${path}: entrypoint ${entrypoint} is not in the module (it has: ${known})`,
      [{ path: `${path}/entrypoint`, message: `not exported by the module (it has: ${known})` }],
    );
  }
  return {
    entrypoint,
    evaluate(input: unknown): RegoOutcome {
      let resultSet: unknown;
      try {
        resultSet = policy.evaluate(input, entrypoint);
      } catch (err) {
        return { ok: false, error: `evaluation failed: ${messageOf(err)}` };
      }
      if (!Array.isArray(resultSet)) return { ok: false, error: 'the module returned no result set' };
      if (resultSet.length === 0) return { ok: true, allow: false, reasons: [`${entrypoint} is undefined`] };
      if (resultSet.length > 1)
        return { ok: false, error: `${entrypoint} returned ${resultSet.length} results, expected one` };
      const result = (resultSet[0] as { result?: unknown }).result;
      if (typeof result === 'boolean') return { ok: true, allow: result, reasons: [] };
      if (
        typeof result === 'object' &&
        result !== null &&
        typeof (result as { allow?: unknown }).allow === 'boolean'
      ) {
        const reasons = (result as { reasons?: unknown }).reasons;
        if (reasons !== undefined && !isStringArray(reasons)) {
          return { ok: false, error: `${entrypoint}.reasons is not a list of strings` };
        }
        return { ok: true, allow: (result as { allow: boolean }).allow, reasons: reasons ?? [] };
      }
      return { ok: false, error: `${entrypoint} must be a bool or {allow: bool, reasons: [string]}` };
    },
  };
}
