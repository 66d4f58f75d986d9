import { isAttestError } from '@stella/attest';
import { ProblemError } from '@stella/platform';
import { isTlogError } from '@stella/tlog';
import { AttestorError, attestorErrorStatus, isAttestorError } from './attestor-error';

const slug = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** Library errors that a caller caused, as attestor errors; everything else is left alone. */
export function fromLibraryError(error: unknown): unknown {
  if (isTlogError(error)) {
    if (error.code === 'OUT_OF_RANGE' || error.code === 'INVALID_ARGUMENT') {
      return new AttestorError('OUT_OF_RANGE', error.message, error.details, { cause: error });
    }
    return error;
  }
  if (isAttestError(error)) {
    switch (error.code) {
      case 'ENVELOPE_MALFORMED':
      case 'ENVELOPE_TOO_LARGE':
        return new AttestorError('ENVELOPE_MALFORMED', error.message, { ...error.details }, { cause: error });
      case 'SIGNATURE_INVALID':
      case 'THRESHOLD_NOT_MET':
        return new AttestorError(
          'SIGNATURE_UNTRUSTED',
          'no signature of the envelope verifies against a trusted key',
          {},
          { cause: error },
        );
      case 'STATEMENT_INVALID':
      case 'PREDICATE_INVALID':
      case 'PREDICATE_TYPE_UNSUPPORTED':
      case 'PAYLOAD_TYPE_UNSUPPORTED':
      case 'SUBJECT_MISMATCH':
      case 'PAYLOAD_NOT_CANONICAL':
        return new AttestorError(
          'STATEMENT_INVALID',
          error.message,
          { ...error.details, attestCode: error.code },
          { cause: error },
        );
      default:
        return error;
    }
  }
  return error;
}

/** Maps a refusal to problem+json; unknown errors propagate to the platform filter (500). */
export function toHttpProblem(error: unknown): unknown {
  const mapped = fromLibraryError(error);
  if (!isAttestorError(mapped)) return mapped;
  return new ProblemError(
    attestorErrorStatus(mapped.code),
    { type: slug(mapped.code), title: mapped.message, code: mapped.code, ...mapped.details },
    { cause: mapped },
  );
}
