/**
 * Runs `outpost collector` in a child process (for the crash test): the same entry as
 * the CLI, through tsx so no build is needed.
 */
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(['collector', ...process.argv.slice(2)]);
