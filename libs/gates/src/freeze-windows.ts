import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

const utcTimestamp = z.iso.datetime({ offset: false, error: 'must be an RFC 3339 UTC timestamp (…Z)' });
const windowName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,127}$/, 'a short name (max 128)');
const MAX_DURATION_MINUTES = 60 * 24 * 31;

/** A five-field cron expression evaluated in UTC (minute hour day-of-month month day-of-week). */
export const cronExpression = z
  .string()
  .max(200)
  .superRefine((value, ctx) => {
    const error = cronError(value);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  });

export const freezeWindowSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('range'),
      name: windowName,
      start: utcTimestamp,
      end: utcTimestamp,
      reason: z.string().min(1).max(1024).optional(),
    })
    .refine((w) => Date.parse(w.end) > Date.parse(w.start), { error: 'end must be after start', path: ['end'] }),
  z.strictObject({
    kind: z.literal('recurring'),
    name: windowName,
    /** When each freeze starts, e.g. `0 16 * * 5` (Fridays 16:00 UTC). */
    cron: cronExpression,
    durationMinutes: z.int().min(1).max(MAX_DURATION_MINUTES),
    reason: z.string().min(1).max(1024).optional(),
  }),
]);

export type FreezeWindow = z.infer<typeof freezeWindowSchema>;

/** The occurrence of a window that covers an instant. */
export interface ActiveFreeze {
  name: string;
  kind: FreezeWindow['kind'];
  start: string;
  end: string;
  reason?: string;
  cron?: string;
}

function cronError(expression: string): string | undefined {
  if (expression.trim().split(/\s+/).length !== 5) {
    return 'must be a five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC';
  }
  try {
    // Parsing accepts some impossible schedules (30 February): ask for an occurrence too.
    CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(Date.UTC(2000, 0, 1)) }).next();
    return undefined;
  } catch (error) {
    return `invalid cron expression: ${(error as Error).message}`;
  }
}

/** Latest start of a recurring window at or before `at` (cron resolution is a minute). */
function latestStartAtOrBefore(cron: string, at: Date): Date | undefined {
  const expression = CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(at.getTime() + 60_000) });
  for (let i = 0; i < 3; i += 1) {
    if (!expression.hasPrev()) return undefined;
    const start = expression.prev().toDate();
    if (start.getTime() <= at.getTime()) return start;
  }
  return undefined;
}

/** The first window (in configured order) that covers `at`, or undefined when the environment is open. */
export function activeFreeze(windows: readonly FreezeWindow[], at: Date): ActiveFreeze | undefined {
  const t = at.getTime();
  for (const window of windows) {
    if (window.kind === 'range') {
      if (Date.parse(window.start) <= t && t < Date.parse(window.end)) {
        return {
          name: window.name,
          kind: 'range',
          start: new Date(window.start).toISOString(),
          end: new Date(window.end).toISOString(),
          ...(window.reason ? { reason: window.reason } : {}),
        };
      }
      continue;
    }
    const start = latestStartAtOrBefore(window.cron, at);
    if (!start) continue;
    const end = start.getTime() + window.durationMinutes * 60_000;
    if (t < end) {
      return {
        name: window.name,
        kind: 'recurring',
        start: start.toISOString(),
        end: new Date(end).toISOString(),
        cron: window.cron,
        ...(window.reason ? { reason: window.reason } : {}),
      };
    }
  }
  return undefined;
}
