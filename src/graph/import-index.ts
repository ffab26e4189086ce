// Feeds a crates.io-style index (tarball, directory or git repository) into a GraphBuilder.
import { readCratesIndex } from '../formats/crates-index.js';
import type { IndexReadProgress, ReadCratesIndexResult } from '../formats/crates-index.js';
import { GraphBuilder } from './graph-builder.js';

export interface ImportIndexOptions {
  onProgress?: (p: IndexReadProgress) => void;
  skipMalformed?: boolean;
}

export async function importIndex(
  source: string,
  opts: ImportIndexOptions = {},
  builder: GraphBuilder = new GraphBuilder(),
): Promise<{ builder: GraphBuilder; read: ReadCratesIndexResult }> {
  const read = await readCratesIndex(
    source,
    (_name, lines) => {
      for (const line of lines) builder.addIndexLine(line);
    },
    {
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.skipMalformed ? { skipMalformed: true } : {}),
    },
  );
  return { builder, read };
}
