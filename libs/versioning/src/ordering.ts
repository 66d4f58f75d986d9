/** Result of every comparison in this library: a < b, a = b, a > b. */
export type Ordering = -1 | 0 | 1;

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * Compares two strings of ASCII digits as unbounded non-negative integers.
 * Versions carry date stamps and build numbers beyond 2^53, so Number() would lose precision.
 */
export function compareDigitStrings(a: string, b: string): Ordering {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (let k = 0; k < la; k++) {
    const ca = a.charCodeAt(i + k);
    const cb = b.charCodeAt(j + k);
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

/** Byte-wise (code unit) string order, as C's strcmp/memcmp and Ruby's String#<=> use. */
export function compareStrings(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strips leading zeros from a digit string, keeping a single "0". */
export function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
