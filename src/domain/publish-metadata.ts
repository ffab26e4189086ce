// The JSON document cargo sends at the head of a publish body (`PUT /api/v1/crates/new`),
// as cargo's registry web-API documentation describes it.
import type { DependencyKind } from './index-line.js';

export interface PublishDependency {
  /** The real crate name (cargo sends the package name here, even when renamed). */
  name: string;
  version_req: string;
  features: string[];
  optional: boolean;
  default_features: boolean;
  target: string | null;
  kind: DependencyKind;
  registry?: string | null;
  /** The name used in Cargo.toml when the dependency is renamed with `package = …`. */
  explicit_name_in_toml?: string | null;
}

export interface PublishMetadata {
  name: string;
  vers: string;
  deps: PublishDependency[];
  features: Record<string, string[]>;
  authors: string[];
  description: string | null;
  documentation: string | null;
  homepage: string | null;
  readme: string | null;
  readme_file: string | null;
  keywords: string[];
  categories: string[];
  license: string | null;
  license_file: string | null;
  repository: string | null;
  badges: Record<string, unknown>;
  links: string | null;
  rust_version?: string | null;
}
