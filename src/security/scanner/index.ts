// The malicious-crate scanner's public API.
export { Scanner, ScannerError, readSourceTree } from './scanner.js';
export type { ScannerOptions } from './scanner.js';
export { scanTogether } from './together.js';
export { ScanPool, ScanPoolBusyError } from './scan-pool.js';
export type { PoolResult, ScanPoolOptions } from './scan-pool.js';
export { DEFAULT_SCAN_READ_LIMITS, ScanReadBudget, readCrateForScan } from './read-crate.js';
export type { CrateFiles, ReadCrateForScanOptions, ScanFile, ScanReadLimits } from './read-crate.js';
export { reportsToSarif } from './report-sarif.js';
export { RULE_CATALOG, ruleInfo } from './rules/catalog.js';
export type { RuleInfo } from './rules/catalog.js';
export { verdictOf } from './scan-crate.js';
export type { CrateSource } from './scan-crate.js';
export { SEVERITIES, atLeast, isSeverity, maxSeverity, severityRank } from './types.js';
export type { DependencyInfo, FileContext, Finding, RegistryContext, ScanReport, Severity } from './types.js';
