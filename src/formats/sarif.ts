// SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) output: the subset code-scanning
// services read. Every object carries the schema's required properties: `version` and `runs` on
// the log, `tool.driver.name` on a run, `message` on a result; we also always give `ruleId`,
// `level` and `locations`, which consumers such as GitHub code scanning expect.

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifRuleInput {
  id: string;
  /** Short, human title. */
  shortDescription: string;
  fullDescription?: string;
  helpUri?: string;
  defaultLevel?: SarifLevel;
  properties?: Record<string, unknown>;
}

export interface SarifResultInput {
  ruleId: string;
  level: SarifLevel;
  message: string;
  /** Path of the file, `/`-separated; null for results about the whole artifact. */
  uri: string | null;
  line?: number | null;
  properties?: Record<string, unknown>;
  /** Stable identities for matching a result across runs (SARIF `partialFingerprints`). */
  partialFingerprints?: Record<string, string>;
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: SarifRun[];
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version?: string;
      informationUri?: string;
      rules: {
        id: string;
        shortDescription: { text: string };
        fullDescription?: { text: string };
        helpUri?: string;
        defaultConfiguration?: { level: SarifLevel };
        properties?: Record<string, unknown>;
      }[];
    };
  };
  results: {
    ruleId: string;
    ruleIndex: number;
    level: SarifLevel;
    message: { text: string };
    locations: {
      physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
    }[];
    partialFingerprints?: Record<string, string>;
    properties?: Record<string, unknown>;
  }[];
}

/** Percent-encodes what a URI reference may not contain, keeping `/` separators. */
export function sarifUri(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

export function buildSarifLog(
  tool: { name: string; version?: string; informationUri?: string },
  rules: readonly SarifRuleInput[],
  results: readonly SarifResultInput[],
): SarifLog {
  const index = new Map<string, number>();
  const driverRules = rules.map((r, i) => {
    index.set(r.id, i);
    return {
      id: r.id,
      shortDescription: { text: r.shortDescription },
      ...(r.fullDescription ? { fullDescription: { text: r.fullDescription } } : {}),
      ...(r.helpUri ? { helpUri: r.helpUri } : {}),
      ...(r.defaultLevel ? { defaultConfiguration: { level: r.defaultLevel } } : {}),
      ...(r.properties ? { properties: r.properties } : {}),
    };
  });
  const out: SarifRun['results'] = results.map((res) => {
    const ruleIndex = index.get(res.ruleId);
    if (ruleIndex === undefined) throw new Error(`SARIF result refers to an unknown rule: ${res.ruleId}`);
    const uri = sarifUri(res.uri ?? '.');
    const region = res.line && res.line > 0 ? { region: { startLine: res.line } } : {};
    return {
      ruleId: res.ruleId,
      ruleIndex,
      level: res.level,
      message: { text: res.message },
      locations: [{ physicalLocation: { artifactLocation: { uri }, ...region } }],
      ...(res.partialFingerprints ? { partialFingerprints: res.partialFingerprints } : {}),
      ...(res.properties ? { properties: res.properties } : {}),
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            ...(tool.version ? { version: tool.version } : {}),
            ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
            rules: driverRules,
          },
        },
        results: out,
      },
    ],
  };
}
