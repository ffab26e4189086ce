// Graphviz DOT for a dependency subgraph. Every id and label is a quoted string with `"` and
// `\` escaped and line breaks removed, so names cannot inject DOT syntax.

export interface DotNode {
  id: string;
  label: string;
  /** Extra attributes (e.g. style, color); values are quoted. */
  attrs?: Record<string, string>;
}

export interface DotEdge {
  source: string;
  target: string;
  label?: string;
  attrs?: Record<string, string>;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

export function dotString(s: string): string {
  return `"${s.replace(CONTROL_CHARS, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function attrList(attrs: Record<string, string>): string {
  const parts = Object.entries(attrs).map(
    ([k, v]) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : dotString(k)}=${dotString(v)}`,
  );
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

export function* dot(input: {
  name?: string;
  nodes: Iterable<DotNode>;
  edges: Iterable<DotEdge>;
}): Generator<string> {
  yield `digraph ${dotString(input.name ?? 'dependencies')} {\n`;
  yield '  rankdir=LR;\n  node [shape=box, fontname="Helvetica"];\n  edge [fontname="Helvetica", fontsize=10];\n';
  for (const n of input.nodes) yield `  ${dotString(n.id)}${attrList({ label: n.label, ...n.attrs })};\n`;
  for (const e of input.edges) {
    const attrs = { ...(e.label !== undefined ? { label: e.label } : {}), ...e.attrs };
    yield `  ${dotString(e.source)} -> ${dotString(e.target)}${attrList(attrs)};\n`;
  }
  yield '}\n';
}
