// What rules see: the crate's files with their contexts and each Rust file's signals; and how
// they report: an emitter that fills in the catalog's title and why.
import type { Signal } from '../code-signals.js';
import type { ExecutableFormat } from '../file-kind.js';
import type { FileFlowFacts } from '../flow/fn-facts.js';
import type { ManifestFacts } from '../manifest-facts.js';
import type { FileContext, Finding, Severity } from '../types.js';
import { ruleInfo } from './catalog.js';

export interface SourceFile {
  path: string;
  size: number;
  /** The whole file, or null when it was not read (see `skipped`). */
  data: Buffer | null;
  /** The first bytes of a file that was not read whole (for magic-byte and entropy checks). */
  head?: Buffer | null;
  /** SHA-256 (hex) of the whole file, when the reader computed it. */
  sha256?: string;
  /** Why `data` is null: the read ceiling it was over. */
  skipped?: string;
}

export interface RustFileResult {
  path: string;
  ctx: FileContext;
  signals: Signal[];
  /** Dependency names (as code spells them) that the file mentions. */
  usedNames: Set<string>;
  /** include_bytes!/include_str!/include! targets, resolved to crate paths. */
  includes: { macro: string; path: string; line: number }[];
  functions: string[];
  /** String literals naming files (`build/setup.sh`, `assets/tool.exe`): files the code may run. */
  fileRefs: string[];
  /** Per-function facts for the flow analysis (flow/); absent for files it does not follow. */
  flow?: FileFlowFacts;
  /** A library file behind a private `mod`: its `pub fn`s are not the crate's API. */
  privateModule?: boolean;
}

export interface CrateModel {
  name: string;
  version: string;
  manifest: ManifestFacts | null;
  files: SourceFile[];
  rust: RustFileResult[];
  contexts: Map<string, FileContext>;
  executables: Map<string, ExecutableFormat>;
}

export type Group = 'build' | 'macro' | 'runtime' | 'other' | 'test';

export function groupOf(ctx: FileContext): Group {
  switch (ctx) {
    case 'build-script':
      return 'build';
    case 'proc-macro':
      return 'macro';
    case 'library':
    case 'binary':
      return 'runtime';
    case 'other':
      return 'other';
    default:
      return 'test';
  }
}

export interface Emitter {
  (
    ruleId: string,
    severity: Severity,
    at: { file: string | null; line: number | null; ctx?: FileContext },
    evidence: string,
    note?: string,
  ): void;
}

export function makeEmitter(findings: Finding[], disabled: ReadonlySet<string>): Emitter {
  const seen = new Set<string>();
  return (ruleId, severity, at, evidence, note) => {
    if (disabled.has(ruleId)) return;
    const key = `${ruleId}\u0000${at.file ?? ''}\u0000${at.line ?? ''}\u0000${evidence}`;
    if (seen.has(key)) return;
    seen.add(key);
    const info = ruleInfo(ruleId);
    findings.push({
      ruleId,
      severity,
      title: info.title,
      file: at.file,
      line: at.line,
      evidence,
      why: note ? `${info.why} ${note}` : info.why,
      ...(at.ctx ? { context: at.ctx } : {}),
    });
  };
}
