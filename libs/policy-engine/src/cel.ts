import {
  CelScalar,
  celEnv,
  celFunc,
  isCelError,
  isCelList,
  isCelMap,
  parse,
  plan,
  type CelEnv,
  type CelValue,
} from '@bufbuild/cel';
import { PolicyError } from './errors';
import { SEVERITIES, type PolicyProblem, type RuleScope } from './types';

/** Severity ranks; `unknown` ranks below `none` (it never reaches a threshold by itself). */
export const SEVERITY_RANK: Readonly<Record<string, number>> = {
  unknown: -1,
  none: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

const DAY_MS = 86_400_000;

function field(value: CelValue | undefined, name: string): CelValue | undefined {
  if (isCelMap(value)) return value.get(name);
  return undefined;
}

function requireString(value: CelValue | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string`);
  return value;
}

function rankOf(level: string): number {
  const rank = SEVERITY_RANK[level];
  if (rank === undefined || level === 'unknown') {
    throw new Error(`unknown severity level "${level}" (expected one of ${SEVERITIES.join(', ')})`);
  }
  return rank;
}

function timeOf(value: string, what: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`${what} is not an ISO 8601 date-time: ${value}`);
  return ms;
}

/** The custom functions rules can call (docs/reference/policy.md, "CEL functions"). */
export const CEL_FUNCTIONS = [
  celFunc('severityAtLeast', [CelScalar.DYN, CelScalar.STRING], CelScalar.BOOL, (finding, level) => {
    const severity = requireString(field(finding, 'severity'), 'finding.severity');
    const rank = SEVERITY_RANK[severity];
    if (rank === undefined) throw new Error(`finding.severity "${severity}" is not a severity`);
    return rank >= rankOf(level);
  }),
  celFunc('hasVex', [CelScalar.DYN, CelScalar.STRING], CelScalar.BOOL, (finding, status) => {
    const vex = field(finding, 'vex');
    return vex !== undefined && field(vex, 'status') === status;
  }),
  celFunc('daysBetween', [CelScalar.STRING, CelScalar.STRING], CelScalar.DOUBLE, (from, to) => {
    return (timeOf(to, 'to') - timeOf(from, 'from')) / DAY_MS;
  }),
  celFunc('hasAttestation', [CelScalar.DYN, CelScalar.STRING], CelScalar.BOOL, (image, predicateType) => {
    const attestations = field(image, 'attestations');
    if (!isCelList(attestations)) throw new Error('image.attestations is not a list');
    for (const a of attestations) {
      if (field(a, 'predicateType') === predicateType && field(a, 'verified') === true) return true;
    }
    return false;
  }),
  celFunc('distinctApprovers', [CelScalar.DYN], CelScalar.INT, (approvals) => {
    if (!isCelList(approvals)) throw new Error('distinctApprovers expects the approvals list');
    const names = new Set<string>();
    for (const a of approvals) names.add(requireString(field(a, 'approver'), 'approval.approver'));
    return BigInt(names.size);
  }),
];

const RELEASE_VARS = ['input', 'release', 'environment', 'images', 'approvals', 'exceptions', 'now'] as const;
const VARS_BY_SCOPE: Readonly<Record<RuleScope, readonly string[]>> = {
  release: RELEASE_VARS,
  image: [...RELEASE_VARS, 'image'],
  finding: [...RELEASE_VARS, 'image', 'finding'],
};
/** Type names CEL lets an expression mention as identifiers (`type(x) == string`). */
const TYPE_IDENTS = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);

const ENV: CelEnv = celEnv({
  variables: {
    input: CelScalar.DYN,
    release: CelScalar.DYN,
    environment: CelScalar.DYN,
    images: CelScalar.DYN,
    approvals: CelScalar.DYN,
    exceptions: CelScalar.DYN,
    now: CelScalar.STRING,
    image: CelScalar.DYN,
    finding: CelScalar.DYN,
  },
  funcs: CEL_FUNCTIONS,
});

export interface CelBindings {
  input: unknown;
  release: unknown;
  environment: unknown;
  images: unknown;
  approvals: unknown;
  exceptions: unknown;
  now: string;
  image?: unknown;
  finding?: unknown;
}

export type CelOutcome = { ok: true; value: boolean } | { ok: false; error: string };

export interface CompiledCel {
  readonly expression: string;
  readonly scope: RuleScope;
  evaluate(bindings: CelBindings): CelOutcome;
}

interface ExprNode {
  id: bigint;
  exprKind: { case: string | undefined; value?: unknown };
}

function lineCol(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Checks what @bufbuild/cel only finds at run time: unknown variables (or variables of another
 * scope) and unknown functions or wrong argument counts. The library's own type checker does
 * not cover calls yet, so this walks the parsed tree.
 */
function checkNames(
  root: ExprNode,
  scope: RuleScope,
  positions: Record<string, number>,
  source: string,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const allowed = new Set(VARS_BY_SCOPE[scope]);
  const at = (node: ExprNode): string => {
    const offset = positions[String(node.id)];
    if (offset === undefined) return '';
    const { line, column } = lineCol(source, offset);
    return ` at ${line}:${column}`;
  };
  const walk = (node: ExprNode | undefined, bound: ReadonlySet<string>): void => {
    if (!node) return;
    const kind = node.exprKind;
    switch (kind.case) {
      case 'identExpr': {
        const name = (kind.value as { name: string }).name;
        if (!bound.has(name) && !allowed.has(name) && !TYPE_IDENTS.has(name)) {
          const other = Object.entries(VARS_BY_SCOPE).find(([, vars]) => vars.includes(name));
          problems.push({
            path: 'expression',
            message: other
              ? `variable "${name}"${at(node)} is not available in scope "${scope}" (use scope "${other[0]}")`
              : `undeclared reference "${name}"${at(node)}`,
          });
        }
        return;
      }
      case 'selectExpr':
        walk((kind.value as { operand?: ExprNode }).operand, bound);
        return;
      case 'callExpr': {
        const call = kind.value as { function: string; target?: ExprNode; args: ExprNode[] };
        if (/^[A-Za-z]/.test(call.function)) {
          const group = ENV.funcs.find(call.function);
          if (!group) {
            problems.push({ path: 'expression', message: `unknown function "${call.function}"${at(node)}` });
          } else {
            const member = call.target !== undefined;
            const fits = [...group].some(
              (f) => (f.target !== undefined) === member && f.arguments.length === call.args.length,
            );
            if (!fits) {
              problems.push({
                path: 'expression',
                message: `no overload of "${call.function}" takes ${call.args.length} argument(s)${member ? ' as a method' : ''}${at(node)}`,
              });
            }
          }
        }
        walk(call.target, bound);
        for (const arg of call.args) walk(arg, bound);
        return;
      }
      case 'listExpr':
        for (const e of (kind.value as { elements: ExprNode[] }).elements) walk(e, bound);
        return;
      case 'structExpr':
        for (const entry of (
          kind.value as { entries: { keyKind: { case: string; value?: unknown }; value?: ExprNode }[] }
        ).entries) {
          if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value as ExprNode, bound);
          walk(entry.value, bound);
        }
        return;
      case 'comprehensionExpr': {
        const c = kind.value as {
          iterVar: string;
          iterVar2: string;
          accuVar: string;
          iterRange?: ExprNode;
          accuInit?: ExprNode;
          loopCondition?: ExprNode;
          loopStep?: ExprNode;
          result?: ExprNode;
        };
        walk(c.iterRange, bound);
        walk(c.accuInit, bound);
        const inner = new Set(bound);
        for (const v of [c.iterVar, c.iterVar2, c.accuVar]) if (v) inner.add(v);
        walk(c.loopCondition, inner);
        walk(c.loopStep, inner);
        walk(c.result, inner);
        return;
      }
      default:
        return;
    }
  };
  walk(root, new Set());
  return problems;
}

function describe(value: unknown): string {
  if (isCelList(value)) return 'list';
  if (isCelMap(value)) return 'map';
  if (value === null) return 'null';
  return typeof value === 'bigint' ? 'int' : typeof value;
}

/**
 * Parses, checks and plans a CEL rule. Throws PolicyError `CEL_COMPILE` with the rule path,
 * the position and the parser's message.
 */
export function compileCel(expression: string, scope: RuleScope, path: string): CompiledCel {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^<input>:/, '') : String(err);
    throw new PolicyError('CEL_COMPILE', `${path}: CEL does not compile: ${message}`, [
      { path: `${path}/expression`, message: `does not compile: ${message}` },
    ]);
  }
  const positions = (parsed.sourceInfo?.positions ?? {}) as Record<string, number>;
  const problems = checkNames(parsed.expr as unknown as ExprNode, scope, positions, expression).map((p) => ({
    path: `${path}/${p.path}`,
    message: p.message,
  }));
  if (problems.length > 0) {
    throw new PolicyError('CEL_COMPILE', `${path}: ${problems.map((p) => p.message).join('; ')}`, problems);
  }
  const program = plan(ENV, parsed);
  return {
    expression,
    scope,
    evaluate(bindings: CelBindings): CelOutcome {
      let result: unknown;
      try {
        result = program(bindings as never);
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      if (isCelError(result)) return { ok: false, error: result.message };
      if (typeof result !== 'boolean')
        return { ok: false, error: `evaluated to ${describe(result)}, not a bool` };
      return { ok: true, value: result };
    },
  };
}
