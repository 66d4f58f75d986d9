import { isScannerError, toProblem } from './scanner-error';

/** Runs a handler and maps the scanner's typed errors to problem+json (anything else stays a 500). */
export async function withProblems<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isScannerError(error)) throw toProblem(error);
    throw error;
  }
}
