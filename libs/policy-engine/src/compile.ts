import { digestOf, sha256Digest } from '@stella/canonical';
import { parseDocument } from 'yaml';
import { compileCel, type CompiledCel } from './cel';
import { policyDocumentSchema } from './document-schema';
import { PolicyError } from './errors';
import { problemsOf } from './input-schema';
import { loadRego, opaModuleSource, type CompiledRego } from './opa';
import type {
  CompileOptions,
  CompiledPolicy,
  GateAction,
  GatesConfig,
  PolicyDocument,
  RuleSpec,
} from './types';

export interface CompiledRule {
  readonly spec: RuleSpec;
  readonly action: GateAction;
  readonly cel?: CompiledCel;
  readonly rego?: CompiledRego;
}

/** The compiled form; evaluatePolicy only accepts what compilePolicy made. */
export class CompiledPolicyImpl implements CompiledPolicy {
  constructor(
    readonly policyHash: string,
    readonly name: string,
    readonly version: string,
    readonly environments: readonly string[],
    readonly document: PolicyDocument,
    /** Effective gate configuration per environment (defaults merged). */
    readonly gatesByEnvironment: ReadonlyMap<string, GatesConfig>,
    readonly rules: readonly CompiledRule[],
  ) {}
}

function parseSource(source: string): unknown {
  const doc = parseDocument(source, { uniqueKeys: true });
  const errors = [...doc.errors, ...doc.warnings];
  if (doc.errors.length > 0) {
    throw new PolicyError(
      'POLICY_PARSE',
      `the policy is not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`,
      errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '/',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function mergeGates(
  defaults: GatesConfig | undefined,
  env: Record<string, unknown> | undefined,
): GatesConfig {
  const merged: Record<string, unknown> = { ...(defaults ?? {}) };
  for (const [kind, value] of Object.entries(env ?? {})) {
    if (value === null) delete merged[kind];
    else if (value !== undefined) merged[kind] = value;
  }
  return merged as GatesConfig;
}

function decodeBase64(text: string, path: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0)
    throw new PolicyError('OPA_BUNDLE', `${path}: empty wasm`, [{ path, message: 'empty wasm' }]);
  return new Uint8Array(bytes);
}

/**
 * Parses (YAML/JSON text or an already parsed value), validates against the policy schema,
 * compiles every CEL rule and loads every OPA module. Throws PolicyError: POLICY_PARSE,
 * POLICY_SCHEMA, CEL_COMPILE (rule path, position, message) or OPA_BUNDLE.
 *
 * `policyHash` is the sha256 of the canonical JSON of the validated document; when rules load
 * wasm by path, it is the digest of `{document, files: {<path>: <sha256 of the file>}}` so a
 * changed module changes the hash.
 */
export function compilePolicy(source: string | unknown, options: CompileOptions = {}): CompiledPolicy {
  const raw = typeof source === 'string' ? parseSource(source) : source;
  const parsed = policyDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error);
    throw new PolicyError(
      'POLICY_SCHEMA',
      `the policy does not match the schema: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  const document: PolicyDocument = parsed.data;

  const files: Record<string, string> = {};
  const rules: CompiledRule[] = (document.rules ?? []).map((spec, i) => {
    const path = `rules/${i}`;
    const action = spec.action ?? 'block';
    if (spec.language === 'cel') {
      return {
        spec,
        action,
        cel: compileCel(spec.expression, spec.scope ?? 'release', `${path} (${spec.id})`),
      };
    }
    let wasm: Uint8Array;
    if ('base64' in spec.wasm) {
      wasm = decodeBase64(spec.wasm.base64, `${path}/wasm/base64`);
    } else {
      const file = options.files?.[spec.wasm.path];
      if (!file) {
        throw new PolicyError(
          'OPA_BUNDLE',
          `${path} (${spec.id}): file ${spec.wasm.path} is not in the policy bundle`,
          [{ path: `${path}/wasm/path`, message: `file ${spec.wasm.path} is not in the policy bundle` }],
        );
      }
      wasm = file;
      files[spec.wasm.path] = sha256Digest(file);
    }
    const source = opaModuleSource(wasm, `${path} (${spec.id})`);
    // The rule's own `data` wins over the bundle's /data.json.
    const data = spec.data ?? source.data;
    return { spec, action, rego: loadRego(source.wasm, spec.entrypoint, data, `${path} (${spec.id})`) };
  });

  const environments = Object.keys(document.environments).sort();
  const gatesByEnvironment = new Map<string, GatesConfig>();
  for (const env of environments) {
    gatesByEnvironment.set(env, mergeGates(document.defaults?.gates, document.environments[env]?.gates));
  }
  let policyHash: string;
  try {
    policyHash = Object.keys(files).length === 0 ? digestOf(document) : digestOf({ document, files });
  } catch (err) {
    // A parsed value (not YAML text) may hold what JSON cannot represent (NaN, undefined in arrays…).
    const message = err instanceof Error ? err.message : String(err);
    throw new PolicyError('POLICY_SCHEMA', `the policy is not representable as canonical JSON: ${message}`, [
      { path: '/', message },
    ]);
  }
  return new CompiledPolicyImpl(
    policyHash,
    document.metadata.name,
    document.metadata.version,
    environments,
    document,
    gatesByEnvironment,
    rules,
  );
}
