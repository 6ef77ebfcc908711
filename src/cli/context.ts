/** What a command may touch besides the file system: output lines and the clock. */
export interface CliContext {
  /** Progress and summary lines. */
  out(line: string): void;
  /** Errors and problems. */
  err(line: string): void;
  /** The current time (injectable so tests can check expiry). */
  now(): Date;
}

/** A context writing to the process's stdout and stderr. */
export function processContext(): CliContext {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    now: () => new Date(),
  };
}
