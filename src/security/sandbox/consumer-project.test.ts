import { describe, expect, it } from 'vitest';
import { cargoConfig } from './detonator.js';
import { consumerMain, consumerManifest, procMacroExports } from './consumer-project.js';

describe('consumer project', () => {
  it('finds every exported macro kind, ignoring commented-out ones', () => {
    const src = `
      #[proc_macro_derive(Builder, attributes(builder))]
      pub fn derive_builder(i: TokenStream) -> TokenStream { i }
      #[proc_macro_attribute]
      #[doc(hidden)]
      pub fn route(a: TokenStream, i: TokenStream) -> TokenStream { i }
      #[proc_macro] pub(crate) fn sql(i: TokenStream) -> TokenStream { i }
      // #[proc_macro] fn hidden(i: TokenStream) -> TokenStream { i }
    `;
    expect(procMacroExports([src])).toEqual({
      derives: ['Builder'],
      attributes: ['route'],
      functions: ['sql'],
    });
  });

  it('invokes each macro once and depends on the crate by path outside the workspace', () => {
    const main = consumerMain({ derives: ['Builder'], attributes: ['route'], functions: ['sql'] });
    expect(main).toContain('#[derive(detonated::Builder)]\nstruct CkDerived0;');
    expect(main).toContain('#[detonated::route]\nfn ck_attributed_0() {}');
    expect(main).toContain('detonated::sql! {}');
    expect(consumerManifest('my-crate')).toContain(
      'detonated = { path = "/sandbox/crate", package = "my-crate" }',
    );
  });

  it('replaces crates.io and every registry a manifest names with the vendor directory, offline', () => {
    const manifest =
      '[package]\nname = "a"\nversion = "1.0.0"\n[dependencies.b]\nversion = "1"\nregistry-index = "sparse+https://reg.example/index/"\n';
    const config = cargoConfig([manifest], 2);
    expect(config).toContain('offline = true');
    expect(config).toContain('[source.crates-io]\nreplace-with = "cratekeeper-vendor"');
    expect(config).toContain(
      'registry = "sparse+https://reg.example/index/"\nreplace-with = "cratekeeper-vendor"',
    );
  });
});
