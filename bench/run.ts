// `npm run bench -- NAME [args…]` runs bench/NAME.ts; with no NAME it lists what is there.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(name ? `unknown benchmark: ${name}` : 'usage: npm run bench -- NAME [args…]');
  console.error(`available: ${available.join(', ')}`);
  process.exit(2);
}
// Servers under measurement run the compiled build, as `npm start` does (under tsx the same
// code serves about 30% fewer requests); build it first so the figure is of this tree.
execFileSync(
  process.execPath,
  [join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: join(here, '..'),
    stdio: 'inherit',
  },
);
process.argv = [process.argv[0]!, join(here, `${name}.ts`), ...rest];
await import(pathToFileURL(join(here, `${name}.ts`)).href);
