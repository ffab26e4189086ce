#!/usr/bin/env node
// The `cratekeeper` command.
import { Command, CommanderError } from 'commander';
import { registerAnalyzeCommands } from './commands/analyze.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerRegistryCommands } from './commands/registry.js';
import { registerScanCommands } from './commands/scan.js';
import { registerTyposquatCommands } from './commands/typosquat.js';

const program = new Command();
program
  .name('cratekeeper')
  .description('A security-first Cargo registry and toolkit for defending the Rust crate ecosystem')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerRegistryCommands(program);
registerTyposquatCommands(program);
registerScanCommands(program);
registerAnalyzeCommands(program);
registerGraphCommands(program);
registerMaintenanceCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
}
