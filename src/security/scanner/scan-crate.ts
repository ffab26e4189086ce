// The scan of one crate's files: parse each Rust file once, read its signals, place every file in
// its context, run the rules, and fold the findings into a verdict.
import type { Parser } from 'web-tree-sitter';
import { classifyFiles, normalize, privateModuleFiles } from './classify.js';
import type { ModuleLinks } from './classify.js';
import { analyzeRust, meaningfulDecoded } from './code-signals.js';
import { decodeBase64, decodeHex } from './decoders.js';
import type { SignalKind } from './code-signals.js';
import { executableFormat } from './file-kind.js';
import type { ExecutableFormat } from './file-kind.js';
import { readManifestFacts } from './manifest-facts.js';
import { extractFlowFacts, MAX_STMTS_PER_CRATE } from './flow/fn-facts.js';
import { extractRustFacts } from './rust-facts.js';
import { archiveRules } from './rules/archive-rules.js';
import { codeRules } from './rules/code-rules.js';
import { techniqueRules } from './rules/technique-rules.js';
import { manifestRules } from './rules/manifest-rules.js';
import { makeEmitter } from './rules/model.js';
import type { CrateModel, RustFileResult, SourceFile } from './rules/model.js';
import { registryRules } from './rules/registry-rules.js';
import type { Finding, RegistryContext, ScanReport, Severity } from './types.js';
import { SEVERITIES, severityRank } from './types.js';

export interface CrateSource {
  /** `name-version` directory the files sat under, if known. */
  prefix: string | null;
  /** Paths relative to the crate root. */
  files: SourceFile[];
}

export interface ScanSettings {
  disabled: ReadonlySet<string>;
  youngDays: number;
  /** Rust files larger than this are not parsed (reported as unparsed). */
  maxRustBytes: number;
}

export const DEFAULT_SETTINGS: ScanSettings = {
  disabled: new Set(),
  youngDays: 30,
  maxRustBytes: 4 * 1024 * 1024,
};

const CAPABILITIES: Partial<Record<SignalKind, string>> = {
  network: 'network',
  exec: 'process-spawn',
  'exec-shell': 'shell',
  'fs-write': 'fs-write',
  'fs-read': 'fs-read',
  'dir-walk': 'dir-walk',
  'env-secret': 'secret-env',
  'env-enumerate': 'env-enumeration',
  'credential-path': 'credential-files',
  obfuscated: 'obfuscation',
  'tls-disabled': 'tls-disabled',
  persistence: 'persistence',
  'persistence-write': 'persistence',
  'write-then-exec': 'runs-written-file',
  'git-consumer': 'consumer-repo',
  'walk-up': 'consumer-repo',
};

const TEST_DIRS = /^(tests|examples|benches)\//;
const FILE_REF = /\.[A-Za-z0-9]{1,5}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function scanCrateSource(
  parser: Parser,
  source: CrateSource,
  context: RegistryContext | undefined,
  settings: ScanSettings,
): ScanReport {
  const t0 = performance.now();
  const findings: Finding[] = [];
  const emit = makeEmitter(findings, settings.disabled);
  const files = source.files.map((f) => ({ ...f, path: normalize(f.path) }));
  const paths = files.map((f) => f.path);
  const exists = new Set(paths);
  const manifestFile = files.find((f) => f.path === 'Cargo.toml');
  const manifest = manifestFile?.data
    ? readManifestFacts(manifestFile.data.toString('utf8'), (p) => exists.has(normalize(p)))
    : null;

  const executables = new Map<string, ExecutableFormat>();
  for (const f of files) {
    // A file too big to read whole still shows its magic bytes in the head the reader kept.
    const sample = f.data ?? f.head;
    if (!sample) continue;
    const fmt = executableFormat(sample);
    if (fmt) executables.set(f.path, fmt);
  }

  // Names under which the code would refer to its dependencies (for the unused-dependency rule).
  const depNames = new Set<string>();
  for (const d of manifest?.dependencies ?? []) {
    depNames.add(d.codeName);
    depNames.add(d.codeName.replace(/_rs$/, ''));
  }
  const rust: RustFileResult[] = [];
  // The flow facts every file keeps until the crate-level analysis: bounded per crate.
  const flowBudget = { left: MAX_STMTS_PER_CRATE };
  const links = new Map<string, ModuleLinks>();
  // Names brought in by `use` anywhere (a private module's `pub fn` re-exported stays API).
  const usedTails = new Set<string>();
  let bytes = 0;
  for (const f of files) {
    bytes += f.size;
    if (!f.path.endsWith('.rs') || !f.data) continue;
    if (f.data.length > settings.maxRustBytes) {
      emit(
        'archive.unparsed-source',
        'info',
        { file: f.path, line: null },
        `${f.data.length} bytes, over the ${settings.maxRustBytes}-byte parse limit`,
      );
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(f.data);
    } catch {
      emit(
        'archive.unparsed-source',
        'info',
        { file: f.path, line: null },
        'not valid UTF-8 (rustc would refuse it too)',
      );
      continue;
    }
    // Build-time code always gets the full parse: it is small and it matters most.
    const buildTime =
      manifest !== null &&
      ((manifest.build !== null && (f.path === normalize(manifest.build) || f.path.startsWith('build/'))) ||
        (manifest.procMacro && f.path.startsWith('src/')));
    const facts = extractRustFacts(parser, text, { syntax: buildTime ? 'tree-sitter' : 'auto' });
    if (facts.truncated)
      emit(
        'archive.unparsed-source',
        'info',
        { file: f.path, line: null },
        'analysed only up to the token limit',
      );
    const analysis = analyzeRust(facts);
    const usedNames = new Set<string>();
    const fileRefs: string[] = [];
    for (const t of facts.tokens) {
      if (t.kind === 'id' && depNames.has(t.text)) usedNames.add(t.text);
      else if (t.kind === 'str' && t.text.length < 300 && fileRefs.length < 500 && FILE_REF.test(t.text))
        fileRefs.push(t.text);
    }
    const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '';
    const includes: RustFileResult['includes'] = [];
    const includeRs: ModuleLinks['includes'] = [];
    for (const s of analysis.signals) {
      if (s.kind !== 'include' || !s.detail) continue;
      const m = /^(root|rel):(\w+):(.*)$/s.exec(s.detail);
      if (!m) continue;
      const target = normalize(m[1] === 'root' ? m[3]! : dir ? `${dir}/${m[3]!}` : m[3]!);
      includes.push({ macro: m[2]!, path: target, line: s.line });
      if (m[2] === 'include' && m[1] === 'rel') includeRs.push({ path: m[3]!, test: s.test });
    }
    links.set(f.path, { mods: facts.mods, includes: includeRs });
    for (const u of [...facts.uses.values(), ...facts.globUses]) usedTails.add(u.split('::').pop()!);
    rust.push({
      path: f.path,
      ctx: 'other',
      signals: analysis.signals,
      usedNames,
      includes,
      functions: facts.functions.map((fn) => fn.name),
      fileRefs,
      // Tests, examples and benches run only when asked: the flow analysis does not follow them.
      ...(TEST_DIRS.test(f.path) ? {} : { flow: extractFlowFacts(facts, text, flowBudget) }),
    });
  }
  linkShippedFiles(rust, files, executables);
  const contexts = classifyFiles(paths, manifest, links);
  const hidden = privateModuleFiles(paths, manifest, links);
  for (const r of rust) {
    r.ctx = contexts.get(r.path) ?? 'other';
    const mod = r.path
      .replace(/\/mod\.rs$/, '')
      .replace(/\.rs$/, '')
      .split('/')
      .pop()!;
    if (hidden.has(r.path) && !usedTails.has(mod) && !r.functions.some((n) => usedTails.has(n)))
      r.privateModule = true;
  }

  const model: CrateModel = {
    name: manifest?.name ?? source.prefix?.replace(/-\d+\.\d+\.\d+.*$/, '') ?? 'unknown',
    version: manifest?.version ?? /-(\d+\.\d+\.\d+.*)$/.exec(source.prefix ?? '')?.[1] ?? '0.0.0',
    manifest,
    files,
    rust,
    contexts,
    executables,
  };
  const capped = codeRules(model, emit);
  techniqueRules(model, capped);
  archiveRules(model, emit);
  manifestRules(model, emit);
  if (context) registryRules(model, context, settings.youngDays, findings, emit, parser);

  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.ruleId.localeCompare(b.ruleId),
  );
  const reported = collapseRepeats(findings);
  const capabilities = new Set<string>();
  for (const r of rust) {
    for (const s of r.signals) {
      const cap = CAPABILITIES[s.kind];
      if (cap && !s.test) capabilities.add(`${r.ctx}:${cap}`);
    }
    for (const inc of r.includes)
      if (executables.has(inc.path)) capabilities.add(`${r.ctx}:embedded-executable`);
  }
  return {
    crate: { name: model.name, version: model.version },
    verdict: verdictOf(reported),
    findings: reported,
    capabilities: [...capabilities].sort(),
    dependencies: (manifest?.dependencies ?? []).flatMap((d) =>
      d.kind === 'dev' ? [] : [{ name: d.name, req: d.req, kind: d.kind }],
    ),
    stats: { files: files.length, rustFiles: rust.length, bytes, ms: Math.round(performance.now() - t0) },
  };
}

/**
 * Signals that need the other files: running an executable the crate ships, and encoded text
 * files pulled in with include_str!/include_bytes! (decoded like literals).
 */
function linkShippedFiles(
  rust: RustFileResult[],
  files: SourceFile[],
  executables: Map<string, ExecutableFormat>,
): void {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const exeNames = [...executables.keys()].map((p) => [p, p.split('/').pop()!] as const);
  for (const r of rust) {
    const execs = r.signals.filter((s) => s.kind === 'exec');
    if (execs.length > 0 && exeNames.length > 0) {
      for (const e of execs) {
        const prog = (e.detail ?? '').replace(/^\.\//, '');
        const hit = exeNames.find(
          ([full, base]) =>
            prog !== '' && (prog.endsWith(full) || prog.endsWith(`/${base}`) || prog === base),
        );
        if (hit)
          r.signals.push({
            ...e,
            kind: 'exec-shipped',
            evidence: `runs ${hit[0]} (${executables.get(hit[0])})`,
            detail: hit[0],
          });
      }
      // `Command::new(dir.join("assets/tool.exe"))`: the name is a literal elsewhere in the file.
      const dynamic = execs.find((e) => (e.detail ?? '').startsWith('$'));
      const named = exeNames.find(
        ([full, base]) =>
          base.length >= 3 && r.fileRefs.some((ref) => ref.endsWith(full) || ref.endsWith(base)),
      );
      if (dynamic && named) {
        r.signals.push({
          ...dynamic,
          kind: 'exec-shipped',
          evidence: `runs ${named[0]} (${executables.get(named[0])})`,
          detail: named[0],
        });
      }
    }
    for (const inc of r.includes) {
      const f = byPath.get(inc.path);
      if (!f?.data || f.data.length > 1 << 20 || executables.has(inc.path)) continue;
      const text = f.data.toString('latin1').replace(/\s+/g, '');
      const bytes = decodeBase64(text) ?? decodeHex(text);
      if (!bytes) continue;
      const fmt = executableFormat(bytes);
      const decodedText = bytes.toString('latin1');
      if (fmt || meaningfulDecoded(decodedText)) {
        r.signals.push({
          kind: 'obfuscated',
          line: inc.line,
          evidence: `${inc.macro}!("${inc.path}") is encoded ${fmt ? `${fmt} executable` : JSON.stringify(decodedText.slice(0, 80))}`,
          fn: -1,
          test: false,
          detail: fmt ? 'executable' : 'include',
          decoded: true,
        });
      }
    }
  }
}

/** The worst finding's severity; a crate with nothing above `info` is clean. */
/**
 * One finding per rule and place: a literal decoded several ways (plain, joined, de-obfuscated)
 * can match one rule more than once on one line. The first (worst, as sorted) is kept and the
 * rest are counted in its evidence.
 */
export function collapseRepeats(sorted: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, { finding: Finding; extra: number }>();
  for (const f of sorted) {
    const key = `${f.ruleId}\u0000${f.file ?? ''}\u0000${f.line ?? ''}`;
    const prior = seen.get(key);
    if (prior) {
      prior.extra++;
      continue;
    }
    const copy = { ...f };
    seen.set(key, { finding: copy, extra: 0 });
    out.push(copy);
  }
  for (const { finding, extra } of seen.values()) {
    if (extra > 0)
      finding.evidence = `${finding.evidence} (+${extra} more match${extra === 1 ? '' : 'es'} here)`;
  }
  return out;
}

export function verdictOf(findings: readonly Finding[]): Severity | 'clean' {
  let worst = -1;
  for (const f of findings) worst = Math.max(worst, severityRank(f.severity));
  return worst < severityRank('low') ? 'clean' : SEVERITIES[worst]!;
}
