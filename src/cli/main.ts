#!/usr/bin/env node
// The `cratekeeper` command.
import { Command, CommanderError } from 'commander';
import { registerAdvisoryCommands } from './commands/advisories.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerRegistryCommands } from './commands/registry.js';
import { registerScanCommands } from './commands/scan.js';
import { registerTyposquatCommands } from './commands/typosquat.js';
import { registerVetCommands } from './commands/vet.js';
import { ConfigError } from './config-schema.js';
import { USAGE_EXIT_CODE, UsageError } from './usage-error.js';

// `cratekeeper … | head`: the reader has gone, so stop quietly rather than print EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

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
registerGraphCommands(program);
registerMaintenanceCommands(program);
registerAdvisoryCommands(program);
registerVetCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; every other commander error is a usage error.
    process.exit(err.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
  }
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(err instanceof UsageError || err instanceof ConfigError ? USAGE_EXIT_CODE : 1);
}
