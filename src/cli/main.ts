#!/usr/bin/env node
// The `cratekeeper` command.
import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './commands/audit.js';
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

// `audit` runs in CI on every build: it loads only its own modules (the others pull in the
// server, the database drivers and the parsers, which cost more than the whole audit).
if (process.argv[2] !== 'audit') {
  const [registry, typosquat, scan, graph, maintenance, vet, advisories, analyze, incident] =
    await Promise.all([
      import('./commands/registry.js'),
      import('./commands/typosquat.js'),
      import('./commands/scan.js'),
      import('./commands/graph.js'),
      import('./commands/maintenance.js'),
      import('./commands/vet.js'),
      import('./commands/advisories.js'),
      import('./commands/analyze.js'),
      import('./commands/incident.js'),
    ]);
  registry.registerRegistryCommands(program);
  typosquat.registerTyposquatCommands(program);
  scan.registerScanCommands(program);
  graph.registerGraphCommands(program);
  maintenance.registerMaintenanceCommands(program);
  vet.registerVetCommands(program);
  advisories.registerAdvisoryCommands(program);
  analyze.registerAnalyzeCommands(program);
  // After `registry`: it adds to that module's `user` and `token` groups.
  incident.registerIncidentCommands(program);
}
registerAuditCommands(program);

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
