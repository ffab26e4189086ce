import { describe, expect, it } from 'vitest';
import { graphml, xmlEscape } from './graphml.js';

describe('graphml', () => {
  const doc = [
    ...graphml({
      nodeKeys: [
        { name: 'crate', type: 'string' },
        { name: 'yanked', type: 'boolean' },
      ],
      edgeKeys: [{ name: 'requirement', type: 'string' }],
      nodes: [
        { id: 'a@1.0.0', attrs: { crate: 'a', yanked: false } },
        { id: 'b<&>"@1', attrs: { crate: 'b</data><x>\u0001', yanked: null } },
      ],
      edges: [{ source: 'a@1.0.0', target: 'b<&>"@1', attrs: { requirement: '>=1, <2' } }],
    }),
  ].join('');

  it('declares keys and writes nodes and edges', () => {
    expect(doc).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<graphml xmlns="http:\/\/graphml.graphdrawing.org\/xmlns"/,
    );
    expect(doc).toContain('<key id="n0" for="node" attr.name="crate" attr.type="string"/>');
    expect(doc).toContain('<key id="e0" for="edge" attr.name="requirement" attr.type="string"/>');
    expect(doc).toContain('<node id="a@1.0.0"><data key="n0">a</data><data key="n1">false</data></node>');
    expect(doc).toContain(
      '<edge id="e0" source="a@1.0.0" target="b&lt;&amp;&gt;&quot;@1"><data key="e0">&gt;=1, &lt;2</data></edge>',
    );
    expect(doc.trimEnd().endsWith('</graphml>')).toBe(true);
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    expect(doc).toContain('<data key="n0">b&lt;/data&gt;&lt;x&gt;</data>');
    expect(doc).not.toContain('\u0001');
    // Null attributes are left out rather than written as "null".
    expect(doc).not.toContain('>null<');
    expect(xmlEscape('\ud800x')).toBe('x');
  });
});
