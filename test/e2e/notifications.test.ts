// New high and critical alerts reach a webhook (signed) and an SMTP inbox, both local.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestToPublishMetadata, parseManifest } from '../../src/domain/manifest.js';
import { readCrateArchive } from '../../src/formats/crate-archive.js';
import { repoRoot } from '../support/debian-corpus.js';
import { publishBody } from '../support/publish-body.js';
import { startRegistry, type Harness } from '../support/registry-harness.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

describe('alert notifications', () => {
  let h: Harness;
  let smtp: SmtpSink;
  let hook: Server;
  const received: { body: string; signature: string | undefined }[] = [];
  let failFirst = true;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        // The first delivery fails: the job must retry it.
        if (failFirst) {
          failFirst = false;
          res.writeHead(503).end();
          return;
        }
        received.push({ body, signature: req.headers['x-cratekeeper-signature'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as { port: number }).port;
    h = await startRegistry({
      notifications: {
        minSeverity: 'high',
        webhook: { url: `http://127.0.0.1:${port}/hook`, secret: 'shared-secret' },
        email: {
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          from: 'cratekeeper@registry.test',
          to: ['security@registry.test'],
          user: null,
          pass: null,
        },
        consoleUrl: () => `${h.url}/console`,
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
    hook?.close();
  });

  it('posts a signed webhook and sends an e-mail for a critical scanner alert, retrying a failed delivery', async () => {
    const token = await h.token('alice');
    const bytes = await readFile(
      join(repoRoot, '..', 'shared/data/scanner-samples/crates/env-loggerr-0.11.4.crate'),
    );
    const archive = await readCrateArchive(bytes);
    const paths = new Set(archive.files.map((f) => f.path));
    const metadata = manifestToPublishMetadata(parseManifest(archive.manifestText, (p) => paths.has(p)));
    for (const d of metadata.deps) d.registry = 'https://github.com/rust-lang/crates.io-index';
    expect(
      (
        await fetch(`${h.url}/api/v1/crates/new`, {
          method: 'PUT',
          headers: { authorization: token },
          body: publishBody(metadata, bytes),
        })
      ).status,
    ).toBe(200);

    await h.worker.drain(); // scan → alert → deliveries queued; the webhook fails once
    expect(received).toHaveLength(0);
    const webhookJob = await h.services.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'notify-webhook')
      .executeTakeFirstOrThrow();
    expect(webhookJob).toMatchObject({
      status: 'queued',
      attempts: 1,
      last_error: expect.stringContaining('503'),
    });
    // Let the backoff pass.
    await h.services.db.kysely
      .updateTable('jobs')
      .set({ run_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', webhookJob.id)
      .execute();
    await h.worker.drain();

    expect(received).toHaveLength(1);
    const payload = JSON.parse(received[0]!.body) as {
      event: string;
      alert: { kind: string; severity: string; crate: string; url: string };
    };
    expect(payload).toMatchObject({
      event: 'alert.created',
      alert: { kind: 'scanner', crate: 'env-loggerr' },
    });
    expect(['high', 'critical']).toContain(payload.alert.severity);
    expect(payload.alert.url).toMatch(new RegExp(`^${h.url}/console/alerts/\\d+$`));
    expect(received[0]!.signature).toBe(
      `sha256=${createHmac('sha256', 'shared-secret').update(received[0]!.body).digest('hex')}`,
    );

    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.from).toContain('cratekeeper@registry.test');
    expect(mail.to.join()).toContain('security@registry.test');
    expect(mail.data).toMatch(/Subject: \[cratekeeper\] (HIGH|CRITICAL) scanner alert: env-loggerr@0\.11\.4/);
    // The body is quoted-printable: undo its soft line breaks and escapes.
    const text = mail.data
      .replace(/=\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(text).toContain(payload.alert.url);
  });
});
