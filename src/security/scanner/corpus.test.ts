// The scanner evaluation corpus (test/fixtures/scanner-corpus) is well-formed and inert. This
// test says nothing about what the scanner finds in it: that is bench/scanner-eval's job.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import {
  CORPUS_DIR,
  SPLITS,
  TRIGGERS,
  readCorpusLabels,
} from '../../../test/fixtures/scanner-corpus/labels.js';
import { parseRust, rustParser } from './rust-parser.js';

const labels = readCorpusLabels();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const sampleDirs = SPLITS.flatMap((s) =>
  readdirSync(join(CORPUS_DIR, s), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `${s}/${e.name}`),
);
const textFiles = sampleDirs
  .flatMap((d) => filesUnder(join(CORPUS_DIR, d)))
  .filter((f) => /\.(rs|toml|md|c|h|txt)$/.test(f));

// Families of issue 10 that each split must cover (each in its own code).
const REQUIRED_TECHNIQUES = [
  'runtime-payload',
  'build-script',
  'proc-macro',
  'static-constructor',
  'ctor-crate',
  'persistence-git-hooks',
  'persistence-cargo-config',
  'persistence-shell-rc',
  'persistence-autostart',
  'persistence-cron',
  'persistence-scheduled-task',
  'persistence-systemd',
  'persistence-windows-run-key',
  'evasion-ci',
  'evasion-debugger',
  'evasion-vm',
  'evasion-date',
  'evasion-os',
  'payload-encoded',
  'exec-decoded',
  'write-exec',
  'memfd-exec',
  'mmap-exec',
  'channel-raw-tcp',
  'channel-udp',
  'channel-dns',
  'channel-smtp',
  'channel-raw-http',
  'channel-messenger',
  'channel-json-rpc',
  'curl-pipe-sh',
  'steal-env',
  'steal-ssh',
  'steal-aws',
  'steal-cargo-credentials',
  'steal-wallet',
  'steal-browser',
  'steal-clipboard',
  'keylogger',
  'impersonation-clone',
  'impersonation-front-crate',
];

// Reserved names and documentation ranges (RFC 2606, 5737) and the well-known services samples
// may name with fake tokens.
const ALLOWED_HOST = [
  /(^|\.)(example|invalid|test|localhost)$/,
  /(^|\.)example\.(com|net|org)$/,
  /^localhost$/,
  /^(api\.telegram\.org|discord\.com|discordapp\.com|hooks\.slack\.com|github\.com|api\.github\.com|docs\.rs|crates\.io|schemas\.microsoft\.com)$/,
];
const ALLOWED_IP = [
  /^192\.0\.2\.\d+$/,
  /^198\.51\.100\.\d+$/,
  /^203\.0\.113\.\d+$/,
  /^127\.0\.0\.1$/,
  /^0\.0\.0\.0$/,
];
const URL_HOST = /\b[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s"'<>]*@)?([^/\s"'`\\:<>?#)]+)/gi;
const BARE_DOMAIN =
  /\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|ru|dev|xyz|top|cn|biz|tk|su|cc|online|example|invalid))(?![a-z0-9-]|\.[a-z0-9])/gi;
const IPV4 = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/g;

function hostsIn(text: string): { hosts: string[]; ips: string[] } {
  const hosts = new Set<string>();
  for (const m of text.matchAll(URL_HOST)) hosts.add(m[1]!.toLowerCase());
  for (const m of text.matchAll(BARE_DOMAIN)) hosts.add(m[1]!.toLowerCase());
  const ips = [...text.matchAll(IPV4)].map((m) => m[1]!);
  return { hosts: [...hosts].filter((h) => !/^\d+(\.\d+)*$/.test(h)), ips };
}

describe('scanner evaluation corpus', () => {
  it('has a labels entry for every sample directory and a directory for every entry', () => {
    const labelled = labels.map((l) => l.dir).sort();
    expect(new Set(labelled).size).toBe(labelled.length);
    expect(labelled).toEqual([...sampleDirs].sort());
  });

  // The README's table; a sample added or removed without updating it fails here.
  const EXPECTED_COUNTS: Record<string, { malicious: number; benign: number }> = {
    train: { malicious: 87, benign: 48 },
    heldout: { malicious: 32, benign: 16 },
  };

  it('has the counts the README states', () => {
    for (const split of SPLITS) {
      const part = labels.filter((l) => l.split === split);
      expect(
        {
          malicious: part.filter((l) => l.malicious).length,
          benign: part.filter((l) => !l.malicious).length,
        },
        split,
      ).toEqual(EXPECTED_COUNTS[split]);
    }
  });

  it('meets the minimum counts per split', () => {
    for (const split of SPLITS) {
      const part = labels.filter((l) => l.split === split);
      expect(part.every((l) => l.dir.startsWith(`${split}/`))).toBe(true);
      expect(part.filter((l) => l.malicious).length, split).toBeGreaterThanOrEqual(32);
      expect(part.filter((l) => !l.malicious).length, split).toBeGreaterThanOrEqual(16);
    }
  });

  it('labels every sample with a known trigger, techniques and a note', () => {
    for (const l of labels) {
      expect(TRIGGERS, l.dir).toContain(l.trigger);
      expect(l.techniques.length, l.dir).toBeGreaterThan(0);
      expect(l.note.length, l.dir).toBeGreaterThan(20);
    }
  });

  it('covers every technique family in both splits', () => {
    for (const split of SPLITS) {
      const seen = new Set(
        labels.filter((l) => l.split === split && l.malicious).flatMap((l) => l.techniques),
      );
      expect(
        REQUIRED_TECHNIQUES.filter((t) => !seen.has(t)),
        split,
      ).toEqual([]);
    }
  });

  it('relates front crates to dependencies in the same split that they actually depend on', () => {
    const byDir = new Map(labels.map((l) => [l.dir, l]));
    const fronts = labels.filter((l) => l.trigger === 'dependency');
    expect(fronts.length).toBeGreaterThanOrEqual(2);
    for (const l of labels) {
      for (const r of l.related ?? []) {
        const other = byDir.get(r);
        expect(other, `${l.dir} → ${r}`).toBeDefined();
        expect(other!.split).toBe(l.split);
        expect(other!.related ?? []).toContain(l.dir);
      }
    }
    for (const f of fronts) {
      const manifest = parseToml(readFileSync(join(CORPUS_DIR, f.dir, 'Cargo.toml'), 'utf8')) as {
        dependencies?: Record<string, unknown>;
      };
      const deps = Object.keys(manifest.dependencies ?? {});
      const payloads = (f.related ?? []).map((r) => r.split('/')[1]!.replace(/-\d+\.\d+\.\d+$/, ''));
      expect(payloads.length, f.dir).toBeGreaterThan(0);
      for (const p of payloads) expect(deps, f.dir).toContain(p);
    }
  });

  it('gives every sample a Cargo.toml naming its directory, a README and Rust sources, under 20 KB', () => {
    for (const d of sampleDirs) {
      const root = join(CORPUS_DIR, d);
      const manifest = parseToml(readFileSync(join(root, 'Cargo.toml'), 'utf8')) as {
        package?: { name?: string; version?: string };
      };
      expect(`${manifest.package?.name}-${manifest.package?.version}`).toBe(d.split('/')[1]);
      const files = filesUnder(root).map((f) => relative(root, f));
      expect(files, d).toContain('README.md');
      expect(
        files.some((f) => f.startsWith('src/') && f.endsWith('.rs')),
        d,
      ).toBe(true);
      const bytes = filesUnder(root).reduce((n, f) => n + statSync(f).size, 0);
      expect(bytes, d).toBeLessThan(20 * 1024);
    }
  });

  it('parses every .rs file with tree-sitter without errors', async () => {
    const parser = await rustParser();
    const bad: string[] = [];
    for (const f of textFiles.filter((x) => x.endsWith('.rs'))) {
      const tree = parseRust(parser, readFileSync(f, 'utf8'));
      if (tree.rootNode.hasError) bad.push(relative(CORPUS_DIR, f));
      tree.delete();
    }
    expect(bad).toEqual([]);
  });

  it('names only placeholder hosts and documentation addresses', () => {
    const bad: string[] = [];
    for (const f of textFiles) {
      const { hosts, ips } = hostsIn(readFileSync(f, 'utf8'));
      for (const h of hosts)
        if (!ALLOWED_HOST.some((re) => re.test(h))) bad.push(`${relative(CORPUS_DIR, f)}: ${h}`);
      // Obfuscated samples store some addresses reversed; those must be placeholders too.
      const placeholder = (ip: string) =>
        ALLOWED_IP.some((re) => re.test(ip) || re.test([...ip].reverse().join('')));
      for (const ip of ips) if (!placeholder(ip)) bad.push(`${relative(CORPUS_DIR, f)}: ${ip}`);
    }
    expect(bad).toEqual([]);
  });

  it('recognises a real host and address as not a placeholder (the check can fail)', () => {
    const { hosts, ips } = hostsIn('let u = "https://evil-cdn.xyz/p"; connect("8.8.8.8:53"); "pastebin.com"');
    expect(hosts).toEqual(expect.arrayContaining(['evil-cdn.xyz', 'pastebin.com']));
    expect(ips).toEqual(['8.8.8.8']);
  });
});
