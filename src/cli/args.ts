/**
 * Argument parsing on node:util's parseArgs, with every mistake turned into a
 * UsageError (exit code 2) rather than a stack trace.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { isStrictSemver, NAME_PATTERN } from '../registry/schema.js';

/** The command line is wrong: exit 2 and point at --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure outside the registry's error codes (e.g. refusing to overwrite): exit 1, `code` printed. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The --help flag every command takes. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * `argv` parsed strictly against `options`: unknown flags, missing values and a wrong
 * number of positionals are usage errors.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(argv: string[], options: O, positionalNames: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const wantsHelp = (parsed.values as { help?: boolean }).help === true;
  if (!wantsHelp && parsed.positionals.length !== positionalNames.length) {
    const expected = positionalNames.length === 0 ? 'no arguments' : positionalNames.map((n) => `<${n}>`).join(' ');
    throw new UsageError(`expected ${expected}, got ${parsed.positionals.length} argument(s)`);
  }
  return { values: parsed.values, positionals: parsed.positionals, help: wantsHelp };
}

/** The value of a required flag. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) throw new UsageError(`${flag} is required`);
  return value;
}

/** An integer flag within [min, max], or `fallback` when absent. */
export function integerFlag(value: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return number;
}

/** A positive number of days (fractions allowed), or `fallback`. */
export function daysFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const days = Number(value);
  if (value.trim() === '' || !Number.isFinite(days) || days <= 0 || days > 36500) {
    throw new UsageError(`${flag} must be a number of days above 0, got '${value}'`);
  }
  return days;
}

/** A model or channel name. */
export function nameFlag(value: string | undefined, flag: string): string {
  const name = required(value, flag);
  if (!NAME_PATTERN.test(name)) throw new UsageError(`${flag} must match ${NAME_PATTERN}, got '${name}'`);
  return name;
}

/** A strict semver version. */
export function versionFlag(value: string | undefined, flag: string): string {
  const version = required(value, flag);
  if (!isStrictSemver(version)) throw new UsageError(`${flag} must be a strict semver version like 1.2.3 or 1.2.3-rc.1, got '${version}'`);
  return version;
}
