// Runs the outpost CLI in-process with its output captured, for scripts, tests and
// benchmarks that build registries as an operator would.
import { main } from '../src/cli/main.js';

/** Runs `outpost ...argv`; throws with the CLI's own lines when it exits non-zero. */
export async function runCli(...argv: string[]): Promise<void> {
  const lines: string[] = [];
  const capture = (line: string) => void lines.push(line);
  const code = await main(argv, { out: capture, err: capture });
  if (code !== 0) throw new Error(`outpost ${argv.join(' ')} exited ${code}: ${lines.join(' | ')}`);
}
