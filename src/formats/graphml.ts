// GraphML (http://graphml.graphdrawing.org/) for a dependency subgraph: typed attribute keys
// declared up front, then nodes and directed edges. Text is XML-escaped and characters XML 1.0
// cannot hold are dropped, so hostile crate metadata cannot break the document.

export type AttrType = 'string' | 'boolean' | 'int' | 'long' | 'double';
export type AttrValue = string | number | boolean | null | undefined;

export interface GraphmlKey {
  name: string;
  type: AttrType;
}

export interface GraphmlInput {
  nodeKeys: GraphmlKey[];
  edgeKeys: GraphmlKey[];
  nodes: Iterable<{ id: string; attrs: Record<string, AttrValue> }>;
  edges: Iterable<{ source: string; target: string; attrs: Record<string, AttrValue> }>;
}

export function xmlEscape(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

function dataElements(keys: GraphmlKey[], prefix: string, attrs: Record<string, AttrValue>): string {
  let out = '';
  keys.forEach((k, i) => {
    const v = attrs[k.name];
    if (v === null || v === undefined) return;
    out += `<data key="${prefix}${i}">${xmlEscape(String(v))}</data>`;
  });
  return out;
}

export function* graphml(input: GraphmlInput): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
  );
  for (const [i, k] of input.nodeKeys.entries()) {
    yield `  <key id="n${i}" for="node" attr.name="${xmlEscape(k.name)}" attr.type="${k.type}"/>\n`;
  }
  for (const [i, k] of input.edgeKeys.entries()) {
    yield `  <key id="e${i}" for="edge" attr.name="${xmlEscape(k.name)}" attr.type="${k.type}"/>\n`;
  }
  yield '  <graph id="dependencies" edgedefault="directed">\n';
  for (const n of input.nodes) {
    yield `    <node id="${xmlEscape(n.id)}">${dataElements(input.nodeKeys, 'n', n.attrs)}</node>\n`;
  }
  let e = 0;
  for (const edge of input.edges) {
    yield (
      `    <edge id="e${e++}" source="${xmlEscape(edge.source)}" target="${xmlEscape(edge.target)}">` +
      `${dataElements(input.edgeKeys, 'e', edge.attrs)}</edge>\n`
    );
  }
  yield '  </graph>\n</graphml>\n';
}
