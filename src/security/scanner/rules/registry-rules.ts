// Rules that need the registry's memory: what the previous version looked like, who published,
// how old and how used each dependency is, what was yanked, which popular crates a file copies.
import { createHash } from 'node:crypto';
import type { Parser } from 'web-tree-sitter';
import { canonicalCrateName } from '../../../domain/crate-name.js';
import { tryParseVersion } from '../../../domain/semver.js';
import { assessClone } from '../clones/assess.js';
import { cloneEvidence } from '../clones/evidence.js';
import { CLONE_SOURCE_BOUNDS, boundSources, isComparedSource } from '../clones/sources.js';
import type { CloneCandidate, Finding, RegistryContext, Severity } from '../types.js';
import { SEVERITIES, atLeast } from '../types.js';
import type { CrateModel, Emitter } from './model.js';
import { unusedDependencies } from './manifest-rules.js';

const DAY = 86_400_000;

function olderBy(now: Date, iso: string | null | undefined, days: number): boolean | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return now.getTime() - t > days * DAY;
}

function lower(s: Severity): Severity {
  return SEVERITIES[Math.max(0, SEVERITIES.indexOf(s) - 1)]!;
}

/** A semver-compatible update (cargo's caret rules): 1.2.3→1.2.4, 0.3.9→0.3.10. */
export function isCompatibleUpdate(prev: string, cur: string): boolean {
  const a = tryParseVersion(prev);
  const b = tryParseVersion(cur);
  if (!a || !b) return false;
  if (a.major !== b.major) return false;
  if (a.major > 0) return true;
  if (a.minor !== b.minor) return false;
  return a.minor > 0;
}

export function registryRules(
  model: CrateModel,
  context: RegistryContext,
  youngDays: number,
  findings: readonly Finding[],
  emit: Emitter,
  parser: Parser,
): void {
  const now = context.now ?? new Date();
  const m = model.manifest;
  const prev = context.previousVersion ?? null;
  const deps = (m?.dependencies ?? []).filter((d) => d.kind !== 'dev');
  const unused = new Set(unusedDependencies(model).map(canonicalCrateName));
  const prevDeps = new Set((prev?.dependencies ?? []).map(canonicalCrateName));
  const seen = new Set<string>();
  // Who stands behind this crate: its owners and whoever publishes it. A dependency one of them
  // owns is a sibling (a workspace's crates, published together by the same people).
  const ours = new Set([...(context.owners ?? []), ...(context.publisher ? [context.publisher] : [])]);

  for (const d of deps) {
    const key = canonicalCrateName(d.name);
    if (seen.has(key)) continue;
    seen.add(key);
    const table = context.dependencyInfo;
    const info = table && Object.hasOwn(table, key) ? table[key]! : null;
    if (!info) continue;
    const where = { file: 'Cargo.toml', line: null };
    if (info.verdict && info.verdict !== 'clean' && atLeast(info.verdict, 'high')) {
      emit('registry.flagged-dependency', info.verdict, where, `${d.name} (verdict ${info.verdict})`);
    }
    const isNew = prev ? !prevDeps.has(key) : true;
    if (!isNew) continue;
    const isUnused = unused.has(key);
    const sibling = info.owners.some((o) => ours.has(o));
    const young = olderBy(now, info.createdAt, youngDays) === false;
    const note = `${isUnused ? ' Nothing in the code uses it.' : ''}${prev ? '' : ' (first release of this crate)'}${sibling ? ' A sibling: the same people own it.' : ''}`;
    if (young) {
      // A sibling published minutes earlier is a private registry's everyday work: recorded, not
      // raised (below the alert threshold). A compromised account's payload crate is caught by
      // its own scan (registry.flagged-dependency) and the takeover signals instead.
      let sev: Severity = sibling ? (isUnused ? 'low' : 'info') : isUnused ? 'critical' : 'high';
      if (!prev && !sibling) sev = lower(sev);
      emit(
        'registry.young-dependency',
        sev,
        where,
        `${d.name}, created ${info.createdAt}`,
        note.trim() || undefined,
      );
    } else if (info.dependents <= 1) {
      let sev: Severity = sibling ? (isUnused ? 'low' : 'info') : isUnused ? 'high' : 'medium';
      if (!prev && !sibling) sev = lower(sev);
      emit(
        'registry.unpopular-dependency',
        sev,
        where,
        `${d.name}, ${info.dependents} dependents`,
        note.trim() || undefined,
      );
    }
  }

  if (prev && m?.build && !prev.hasBuildScript && isCompatibleUpdate(prev.version, model.version)) {
    const buildRisk = findings.some((f) => f.context === 'build-script' && atLeast(f.severity, 'medium'));
    emit(
      'registry.build-script-added',
      buildRisk ? 'high' : 'medium',
      { file: m.build, line: null, ctx: 'build-script' },
      `${prev.version} → ${model.version} adds ${m.build}`,
    );
  }

  if (prev && context.publisher && prev.publisher && context.publisher !== prev.publisher) {
    const fresh = olderBy(now, context.publisherFirstSeen, youngDays) === false;
    emit(
      'registry.new-publisher',
      fresh ? 'high' : 'low',
      { file: null, line: null },
      `${context.publisher} publishes after ${prev.publisher}${fresh ? `; account first seen ${context.publisherFirstSeen}` : ''}`,
    );
  }

  const yanks = (context.recentYanks ?? []).filter((y) => {
    const t = Date.parse(y.yankedAt);
    return !Number.isNaN(t) && t <= now.getTime() && now.getTime() - t <= 7 * DAY;
  });
  if (yanks.length > 0) {
    emit(
      'registry.yank-then-publish',
      yanks.length >= 2 ? 'high' : 'medium',
      { file: null, line: null },
      yanks.map((y) => `${y.version} yanked ${y.yankedAt}`).join(', '),
    );
  }

  const popular = context.popularFileHashes;
  if (popular) cloneRule(model, (h) => (Object.hasOwn(popular, h) ? popular[h]! : []), emit);
  if (context.cloneCandidate) functionCloneRule(parser, model, context.cloneCandidate, emit);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * registry.clone: most of the candidate original's functions (or files) reappear here. Medium
 * by itself (low when the manifest calls the crate a fork: forks are common and legitimate);
 * high when a changed or added function gains a risky capability the original lacks there;
 * critical when that function runs without being asked to (constructors, Default, Drop, …).
 */
function functionCloneRule(
  parser: Parser,
  model: CrateModel,
  candidate: CloneCandidate,
  emit: Emitter,
): void {
  if (canonicalCrateName(candidate.name) === canonicalCrateName(model.name)) return;
  const signals = new Map(model.rust.map((r) => [r.path, r]));
  const texts = model.files.flatMap((f) => {
    const ctx = model.contexts.get(f.path);
    if (!f.data || !isComparedSource(f.path) || ctx === 'test' || ctx === 'example' || ctx === 'bench')
      return [];
    return [{ path: f.path, text: utf8.decode(f.data) }];
  });
  const { sources } = boundSources(texts, CLONE_SOURCE_BOUNDS, new Set(candidate.sources.map((s) => s.path)));
  const scanned = sources.map((s) => ({ ...s, signals: signals.get(s.path)?.signals ?? [] }));
  const assessment = assessClone(parser, candidate, scanned);
  if (!assessment) return;
  const worst = assessment.risky[0];
  const fork = /\bfork(ed)?\b/.test(model.manifest?.purpose ?? '');
  const severity: Severity = worst ? (worst.automatic ? 'critical' : 'high') : fork ? 'low' : 'medium';
  emit(
    'registry.clone',
    severity,
    worst ? { file: worst.fn.path, line: worst.fn.line } : { file: null, line: null },
    cloneEvidence(assessment),
  );
}

function cloneRule(model: CrateModel, lookup: (sha256: string) => string[], emit: Emitter): void {
  const own = canonicalCrateName(model.name);
  // Files the reader hashed count even when their bytes were not kept.
  const files = model.files.filter(
    (f) =>
      (f.sha256 !== undefined || f.data !== null) &&
      f.size >= 64 &&
      !/^(Cargo\.toml(\.orig)?|Cargo\.lock|\.cargo_vcs_info\.json)$/.test(f.path),
  );
  if (files.length === 0) return;
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const byCrate = new Map<string, { files: number; bytes: number }>();
  for (const f of files) {
    const hash = f.sha256 ?? createHash('sha256').update(f.data!).digest('hex');
    for (const name of new Set(lookup(hash).map(canonicalCrateName))) {
      if (name === own) continue;
      const e = byCrate.get(name) ?? { files: 0, bytes: 0 };
      e.files++;
      e.bytes += f.size;
      byCrate.set(name, e);
    }
  }
  let best: [string, number] | null = null;
  for (const [name, e] of byCrate) {
    const share = Math.max(e.files / files.length, e.bytes / totalBytes);
    if (!best || share > best[1]) best = [name, share];
  }
  if (best && best[1] >= 0.6) {
    emit(
      'registry.clone-of-popular',
      best[1] >= 0.9 ? 'high' : 'medium',
      { file: null, line: null },
      `${Math.round(best[1] * 100)}% of the files are identical to ${best[0]}`,
    );
  }
}
