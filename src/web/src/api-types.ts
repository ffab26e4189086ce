// The admin API's answers, as the server declares them once (src/admin/api-types.ts: the
// schemas its routes validate and serialise with, and the types derived from them). No copy is
// kept here: pages import from this module, which only passes them on.
export * from '../../admin/api-types.js';
