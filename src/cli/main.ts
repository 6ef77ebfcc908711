/**
 * The `outpost` command line: one module per verb under commands/. Every failure
 * ends as one line on stderr and an exit code (1 for errors, 2 for usage), never a
 * stack trace.
 */
import { isOutpostError } from '../errors.js';
import { CliError, UsageError } from './args.js';
import * as collector from './commands/collector.js';
import * as init from './commands/init.js';
import * as keygen from './commands/keygen.js';
import * as publish from './commands/publish.js';
import * as release from './commands/release.js';
import * as resign from './commands/resign.js';
import * as revoke from './commands/revoke.js';
import * as rotateRoot from './commands/rotate-root.js';
import * as timestamp from './commands/timestamp.js';
import * as verify from './commands/verify.js';
import { processContext, type CliContext } from './context.js';

interface Command {
  summary: string;
  help: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  keygen,
  init,
  publish,
  release,
  revoke,
  verify,
  'rotate-root': rotateRoot,
  resign,
  timestamp,
  collector,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return ['Usage: outpost <command> [options]', '', 'Commands:', ...lines, '', "Run 'outpost <command> --help' for a command's options."].join('\n');
}

/** One line, whatever the message holds. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function describeFailure(error: unknown): string {
  if (isOutpostError(error)) return `${error.code}: ${oneLine(error.message)}`;
  if (error instanceof CliError) return `${error.code}: ${oneLine(error.message)}`;
  const code = (error as { code?: unknown }).code;
  const message = oneLine(error instanceof Error ? error.message : String(error));
  // Node's file errors already start with their code ("ENOENT: no such file …").
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the exit
 * code. `context` replaces stdout, stderr and the clock (tests run it in-process).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: string[], context: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = { ...processContext(), ...context };
  const [verb, ...rest] = argv;
  if (verb === undefined) {
    ctx.err(usage());
    return 2;
  }
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    ctx.out(topic?.help ?? usage());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
  if (command === undefined) {
    ctx.err(`outpost: unknown command '${verb}'\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.err(`outpost ${verb}: ${oneLine(error.message)}`);
      ctx.err(`Run 'outpost ${verb} --help' for usage.`);
      return 2;
    }
    ctx.err(`outpost ${verb}: ${describeFailure(error)}`);
    return 1;
  }
}
