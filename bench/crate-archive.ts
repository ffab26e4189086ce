// `npm run bench -- crate-archive`: time to read and check a ~1 MB `.crate` with
// readCrateArchive, against a bare gunzipSync of the same bytes (the floor any reader pays)
// and against gunzipSync + tar-stream with no checks and no bounds (an unsafe reader).
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { readCrateArchive, writeCrateArchive } from '../src/formats/crate-archive.js';

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const random = seeded(1);
const word = () => Math.floor(random() * 2 ** 48).toString(36);
const entries = [{ path: 'Cargo.toml', data: '[package]\nname = "bench"\nversion = "1.0.0"\n' }];
for (let i = 0; i < 300; i++) {
  const lines = Array.from({ length: 170 }, () => `pub fn ${word()}() -> u64 { ${word()}(${word()}) }\n`);
  entries.push({ path: `src/m${i}.rs`, data: lines.join('') });
}
const bytes = await writeCrateArchive('bench-1.0.0', entries);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function unsafeRead(crate: Buffer): Promise<number> {
  const ex = extract();
  let files = 0;
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (_header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        Buffer.concat(chunks);
        files += 1;
        next();
      });
    });
    ex.on('finish', () => resolve());
    ex.on('error', reject);
    ex.end(gunzipSync(crate));
  });
  return files;
}

const runs = 30;
const readTimes: number[] = [];
const gunzipTimes: number[] = [];
const unsafeTimes: number[] = [];
let unpacked = 0;
for (let i = 0; i < runs + 3; i++) {
  let t = performance.now();
  const archive = await readCrateArchive(bytes);
  const read = performance.now() - t;
  t = performance.now();
  gunzipSync(bytes);
  const gunzip = performance.now() - t;
  t = performance.now();
  await unsafeRead(bytes);
  const unsafe = performance.now() - t;
  if (i < 3) continue; // warm-up
  unsafeTimes.push(unsafe);
  unpacked = archive.unpackedBytes;
  readTimes.push(read);
  gunzipTimes.push(gunzip);
}

const read = median(readTimes);
const gunzip = median(gunzipTimes);
const unsafe = median(unsafeTimes);
console.log(
  `crate: ${(bytes.length / 1e6).toFixed(2)} MB compressed, ${(unpacked / 1e6).toFixed(2)} MB unpacked, ${entries.length} files`,
);
console.log(
  `readCrateArchive: ${read.toFixed(1)} ms median of ${runs} (${(unpacked / 1e6 / (read / 1000)).toFixed(0)} MB/s unpacked)`,
);
console.log(
  `gunzipSync alone: ${gunzip.toFixed(1)} ms median (checked read: ${(read / gunzip).toFixed(1)}x)`,
);
console.log(
  `gunzipSync + tar-stream, unchecked: ${unsafe.toFixed(1)} ms median (checked read: ${(read / unsafe).toFixed(1)}x)`,
);
