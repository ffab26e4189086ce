// Fetching import documents: bounded in size, HTTP(S) only, failures named.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VET_FILE_BYTES } from '../../formats/vet-common.js';
import { fetchImport, vetCheck } from './vet.js';

describe('vet import fetching', () => {
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.end('[audits]\n');
      else if (req.url === '/huge') {
        // No content-length: the limit must hold while streaming.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(1024 * 1024, 0x61);
        let sent = 0;
        const pump = (): void => {
          while (sent <= MAX_VET_FILE_BYTES) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        pump();
      } else if (req.url === '/binary') res.end(Buffer.from([0xff, 0xfe, 0x00]));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('returns the document', async () => {
    expect(await fetchImport('peer', `${base}/ok`)).toBe('[audits]\n');
  });

  it('refuses oversized, binary, missing and non-HTTP documents with the import named', async () => {
    await expect(fetchImport('peer', `${base}/huge`)).rejects.toThrow(
      `import 'peer': ${base}/huge is larger than`,
    );
    await expect(fetchImport('peer', `${base}/binary`)).rejects.toThrow('is not UTF-8 text');
    await expect(fetchImport('peer', `${base}/gone`)).rejects.toThrow('returned HTTP 404');
    await expect(fetchImport('peer', 'file:///etc/passwd')).rejects.toThrow('only http and https URLs');
    await expect(fetchImport('peer', 'not a url')).rejects.toThrow("invalid URL 'not a url'");
  });

  it('checks its arguments before running cargo', async () => {
    await expect(vetCheck({ outputFormat: 'xml', allFeatures: true })).rejects.toThrow(
      '--output-format must be human or json',
    );
    await expect(vetCheck({ outputFormat: 'json', allFeatures: true, frozen: true })).rejects.toThrow(
      '--frozen requires --locked',
    );
  });
});
