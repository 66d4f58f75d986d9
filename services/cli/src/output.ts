/** Human-readable output by default; `--json` gives one JSON document on stdout for scripts. */
export interface Output {
  json: boolean;
  result(human: string, data: unknown): void;
  error(message: string, data?: unknown): void;
}

export function createOutput(
  json: boolean,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Output {
  return {
    json,
    result(human, data) {
      out.write(json ? JSON.stringify(data, null, 2) + '\n' : human.endsWith('\n') ? human : human + '\n');
    },
    error(message, data) {
      if (json)
        out.write(
          JSON.stringify({ error: message, ...(data && typeof data === 'object' ? data : {}) }, null, 2) +
            '\n',
        );
      else err.write(`stella: ${message}\n`);
    },
  };
}
