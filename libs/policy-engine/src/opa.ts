import { loadPolicySync } from '@open-policy-agent/opa-wasm';
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
