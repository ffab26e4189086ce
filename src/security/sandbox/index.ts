// The sandboxed build analysis (`scan --detonate`, the `detonate` job).
export { Detonator, defaultDetonatorOptions, cargoConfig } from './detonator.js';
export type { DetonationInput, DetonationResult, DetonationVendor, DetonatorOptions } from './detonator.js';
export { SandboxUnavailableError, findSandboxTools } from './sandbox-tools.js';
export type { FindToolsOptions, SandboxTools } from './sandbox-tools.js';
export { mergeDetonation } from './merge-report.js';
export { traceFindings } from './trace-findings.js';
export type { VendoredCrate } from './vendor-source.js';
