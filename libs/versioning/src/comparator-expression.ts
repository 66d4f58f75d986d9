import { VersioningError } from './errors';
import type { Ordering } from './ordering';

/**
 * The comparator grammar used where an ecosystem has no richer native range syntax
 * (Go, Debian, Alpine, RPM): `<op> <version>` terms, AND-ed by commas or blanks, OR-ed by `||`.
 * Each scheme supplies its operator spellings, so Debian gets `<<`/`>>` and Alpine gets `~`.
 */
export type ComparatorTest = (order: Ordering) => boolean;

export interface Comparator<T> {
  readonly operator: string;
  readonly operand: T;
}

export type ComparatorExpression<T> = ReadonlyArray<ReadonlyArray<Comparator<T>>>;

function escapeForRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function parseComparatorExpression<T>(
  range: string,
  operators: readonly string[],
  parseOperand: (text: string, operator: string) => T,
): ComparatorExpression<T> {
  // Longest operator first so `<=` wins over `<` and `<<` over `<`.
  const alternation = [...operators]
    .sort((a, b) => b.length - a.length)
    .map(escapeForRegExp)
    .join('|');
  const term = new RegExp(`^(${alternation})\\s*([^\\s,|]+)`);
  const alternatives = range.split('||');
  const result: Comparator<T>[][] = [];
  for (const alternative of alternatives) {
    const comparators: Comparator<T>[] = [];
    let rest = alternative.trim();
    if (rest.length === 0) {
      throw new VersioningError('INVALID_RANGE', 'empty alternative in range', { range });
    }
    while (rest.length > 0) {
      const m = term.exec(rest);
      if (!m || m[1] === undefined || m[2] === undefined) {
        throw new VersioningError('INVALID_RANGE', `expected "<operator> <version>" at "${rest}"`, {
          range,
          operators,
        });
      }
      comparators.push({ operator: m[1], operand: parseOperand(m[2], m[1]) });
      rest = rest.slice(m[0].length).replace(/^[\s,]+/, '');
    }
    result.push(comparators);
  }
  return result;
}

export function evaluateComparatorExpression<T>(
  expression: ComparatorExpression<T>,
  matches: (comparator: Comparator<T>) => boolean,
): boolean {
  return expression.some((conjunction) => conjunction.every(matches));
}

/** The usual relational operators, shared by the schemes that spell them this way. */
export const RELATIONAL_TESTS: Readonly<Record<string, ComparatorTest>> = {
  '<': (o) => o < 0,
  '<=': (o) => o <= 0,
  '=': (o) => o === 0,
  '==': (o) => o === 0,
  '>=': (o) => o >= 0,
  '>': (o) => o > 0,
  '!=': (o) => o !== 0,
};
