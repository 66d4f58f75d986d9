import { z } from 'zod';
import { ScannerError } from '../../../common/scanner-error';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const submitScanBodySchema = z.strictObject({
  /** Registry reference with a tag or a digest: `registry/repo:tag`, `registry/repo@sha256:…`. */
  image: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[^\s]+$/, 'no whitespace'),
  /** `os/arch[/variant]`; default STELLA_SCANNER_DEFAULT_PLATFORM (linux/amd64). */
  platform: z
    .string()
    .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, 'expected os/arch[/variant], e.g. linux/arm64')
    .optional(),
});
export type SubmitScanBody = z.infer<typeof submitScanBodySchema>;

export interface SubmitScanCommand {
  tenantId: string;
  image: string;
  platform: string | undefined;
  idempotencyKey: string | undefined;
}

/** Builds the command from any adapter's input; invalid input never reaches the use case. */
export function submitScanCommand(
  tenantId: string,
  body: unknown,
  idempotencyKey: string | undefined,
): SubmitScanCommand {
  const parsed = submitScanBodySchema.safeParse(body);
  if (!parsed.success) {
    throw new ScannerError('INVALID_REQUEST', 'invalid scan request', {
      errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  const key = idempotencyKey === '' ? undefined : idempotencyKey;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ScannerError(
      'INVALID_IDEMPOTENCY_KEY',
      'Idempotency-Key must be 1-255 printable ASCII characters',
    );
  }
  return { tenantId, image: parsed.data.image, platform: parsed.data.platform, idempotencyKey: key };
}
