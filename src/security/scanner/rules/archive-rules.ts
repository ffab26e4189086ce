// Rules over the files themselves: executables by magic bytes, hidden files, high-entropy blobs
// and shipped scripts that download, persist or exfiltrate.
import { isTestLikePath } from '../classify.js';
import { byteEntropy, isKnownContainer, looksLikeText } from '../file-kind.js';
import { findEndpoints, persistenceKind, shellCommandTraits, snippet } from '../indicators.js';
import { formatBytes } from '../read-crate.js';
import type { Severity } from '../types.js';
import type { CrateModel, Emitter, SourceFile } from './model.js';

// Dotfiles that ordinary crates ship: VCS, CI, editor and tool configuration.
const USUAL_HIDDEN =
  /^\.(cargo_vcs_info\.json|cargo-ok|cargo-checksum\.json|git(ignore|attributes|modules|keep|-blame-ignore-revs|lab-ci\.ya?ml)?|github|gitlab|circleci|travis\.ya?ml|appveyor\.ya?ml|cirrus\.ya?ml|drone\.ya?ml|azure-pipelines\.ya?ml|buildkite|builds|rustfmt\.toml|clippy\.toml|editorconfig|vscode|idea|devcontainer|dockerignore|mailmap|pre-commit-config\.yaml|codecov\.ya?ml|coveragerc|markdownlint.*|prettier.*|eslint.*|npmignore|taplo\.toml|config|cargo|ignore|rgignore|hgignore|hgtags|dir-locals\.el|typos\.toml|tarpaulin\.toml|release-plz\.toml|clang-format|clang-tidy|readthedocs\.ya?ml|zenodo\.json|envrc|tool-versions|nvmrc|python-version|yamllint.*|bors\.toml|mergify\.yml|deny\.toml|lycheeignore|pants.*|bazelrc|bazelversion|nextest\.toml|gitpod\.yml|editorconfig-checker.*|cspell.*|vale.*|spellcheck.*|direnv)$/i;

// Hidden directories of CI services: their scripts run on the author's CI, not at build time.
const CI_DIR =
  /^\.(ci|netlify|appveyor|travis|clusterfuzzlite|husky|cargo-husky|githooks|buildkite|circleci|github|gitlab|woodpecker|drone|semaphore|jenkins|teamcity|azure|azure-pipelines|vsts-ci)$/i;

const SCRIPT_EXT = /\.(sh|bash|zsh|ps1|psm1|bat|cmd|vbs|js|py|pl|rb)$/i;

export function archiveRules(model: CrateModel, emit: Emitter): void {
  const included = new Set(model.rust.flatMap((f) => f.includes.map((i) => i.path)));
  for (const f of model.files) {
    const testLike = isTestLikePath(f.path);
    const ctx = testLike ? 'test' : 'other';
    const fmt = model.executables.get(f.path);
    if (fmt) {
      emit(
        'archive.executable',
        testLike ? 'info' : included.has(f.path) ? 'medium' : 'low',
        { file: f.path, line: null, ctx },
        `${fmt} executable, ${f.size} bytes`,
      );
    }
    const segments = f.path.split('/');
    const hidden = segments.find((s) => s.startsWith('.') && s !== '.' && s !== '..');
    // Files not read whole are judged by the head the reader kept.
    const sample = f.data ?? f.head ?? null;
    if (hidden && !USUAL_HIDDEN.test(hidden) && !CI_DIR.test(hidden) && !testLike) {
      const binary = fmt !== undefined || (sample !== null && !looksLikeText(sample));
      const script = SCRIPT_EXT.test(f.path);
      emit(
        'archive.hidden-file',
        binary ? 'medium' : script ? 'low' : 'info',
        { file: f.path, line: null, ctx },
        `${f.size} bytes${binary ? ', binary' : script ? ', script' : ''}`,
      );
    }
    if (!sample || fmt) continue;
    if (sample.length >= 4096 && !f.path.endsWith('.rs') && !isKnownContainer(sample, f.path)) {
      const h = byteEntropy(sample);
      if (h >= 7.5) {
        emit(
          'archive.high-entropy-blob',
          testLike ? 'info' : included.has(f.path) ? 'medium' : 'low',
          { file: f.path, line: null, ctx },
          `${f.size} bytes, ${h.toFixed(2)} bits/byte${f.data ? '' : ` (in the first ${sample.length})`}`,
        );
      }
    }
    const data = f.data;
    if (!data) continue;
    if (SCRIPT_EXT.test(f.path) && !testLike && data.length <= 1 << 20 && looksLikeText(data)) {
      // A script that build-time code names may be run at build time; others are the author's tooling.
      const base = f.path.split('/').pop()!;
      const referenced = model.rust.some(
        (r) =>
          (r.ctx === 'build-script' || r.ctx === 'proc-macro') && r.fileRefs.some((s) => s.endsWith(base)),
      );
      scriptRule(f.path, data.toString('utf8'), referenced, emit);
    }
  }
  unexaminedRule(model, included, emit);
}

/**
 * Files whose bytes were not read (over a read ceiling) are reported, never silently dropped.
 * How much that matters depends on what they are and where they run: unread build-time code is
 * as bad as hidden code, unread library code deserves a look, an unread data file is expected.
 * One finding per severity, naming the files and bytes, so a huge crate does not flood the list.
 */
function unexaminedRule(model: CrateModel, included: ReadonlySet<string>, emit: Emitter): void {
  const groups = new Map<Severity, SourceFile[]>();
  const buildTime = model.rust.filter((r) => r.ctx === 'build-script' || r.ctx === 'proc-macro');
  for (const f of model.files) {
    if (f.data !== null) continue;
    const base = f.path.split('/').pop()!;
    const ctx = model.contexts.get(f.path) ?? 'other';
    const namedAtBuild = buildTime.some(
      (r) => r.includes.some((i) => i.path === f.path) || r.fileRefs.some((s) => s.endsWith(base)),
    );
    let sev: Severity;
    if (f.path.endsWith('.rs')) {
      sev =
        ctx === 'build-script' || ctx === 'proc-macro'
          ? 'high'
          : ctx === 'library' || ctx === 'binary'
            ? 'medium'
            : 'low';
    } else if (SCRIPT_EXT.test(f.path)) sev = namedAtBuild ? 'high' : 'low';
    else sev = namedAtBuild ? 'medium' : included.has(f.path) ? 'low' : 'info';
    const list = groups.get(sev) ?? [];
    list.push(f);
    groups.set(sev, list);
  }
  for (const [sev, list] of groups) {
    list.sort((a, b) => b.size - a.size || a.path.localeCompare(b.path));
    const total = list.reduce((n, f) => n + f.size, 0);
    const shown = list
      .slice(0, 5)
      .map((f) => `${f.path} (${formatBytes(f.size)}${f.skipped ? `, ${f.skipped}` : ''})`);
    const more = list.length > 5 ? `, +${list.length - 5} more` : '';
    emit(
      'archive.unexamined-content',
      sev,
      { file: list.length === 1 ? list[0]!.path : null, line: null },
      `${list.length} file${list.length === 1 ? '' : 's'}, ${formatBytes(total)} not examined: ${shown.join('; ')}${more}`,
    );
  }
}

function scriptRule(path: string, text: string, referenced: boolean, emit: Emitter): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < 20_000; i++) {
    const line = lines[i]!;
    if (line.length > 2000 || /^\s*(#|\/\/|REM\b|::)/i.test(line)) continue;
    const t = shellCommandTraits(line);
    const bad = findEndpoints(line).find((e) => e.cls !== 'url' && e.cls !== 'ip-lookup');
    const persist =
      t.persistence ??
      (/>>|Set-ItemProperty|New-ItemProperty|reg add/i.test(line) ? persistenceKind(line.trim()) : null);
    if ((t.download && (t.pipeToShell || t.makeExec)) || persist || (bad && t.download)) {
      const what = persist
        ? `persistence (${persist})`
        : t.pipeToShell
          ? 'pipes a download into a shell'
          : bad
            ? `${bad.cls} endpoint`
            : 'downloads and marks executable';
      emit(
        'archive.script-payload',
        referenced ? 'high' : 'low',
        { file: path, line: i + 1, ctx: referenced ? 'build-script' : 'other' },
        `${what}: ${snippet(line)}`,
        referenced ? 'Build-time code refers to this script.' : undefined,
      );
      return;
    }
  }
}
