#!/usr/bin/env node
// The `cratekeeper` command.
import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './commands/audit.js';

const program = new Command();
program
  .name('cratekeeper')
  .description('A security-first Cargo registry and toolkit for defending the Rust crate ecosystem')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

// `audit` runs in CI on every build: it loads only its own modules (the others pull in the
// server, the database drivers and the parsers, which cost more than the whole audit).
if (process.argv[2] !== 'audit') {
  const [registry, typosquat, scan, graph, maintenance] = await Promise.all([
    import('./commands/registry.js'),
    import('./commands/typosquat.js'),
    import('./commands/scan.js'),
    import('./commands/graph.js'),
    import('./commands/maintenance.js'),
  ]);
  registry.registerRegistryCommands(program);
  typosquat.registerTyposquatCommands(program);
  scan.registerScanCommands(program);
  graph.registerGraphCommands(program);
  maintenance.registerMaintenanceCommands(program);
}
registerAuditCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
}
