import type { z } from 'zod';
import type { ContractIssue } from './errors';

export function toContractIssues(error: z.ZodError): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
