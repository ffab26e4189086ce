import { describe, expect, it } from 'vitest';
import { dot, dotString } from './dot.js';

describe('dot', () => {
  it('writes a directed graph with labelled edges', () => {
    const text = [
      ...dot({
        nodes: [
          { id: 'a@1.0.0', label: 'a 1.0.0', attrs: { penwidth: '2' } },
          { id: 'b@2.0.0', label: 'b 2.0.0' },
        ],
        edges: [{ source: 'a@1.0.0', target: 'b@2.0.0', label: '^2', attrs: { style: 'dashed' } }],
      }),
    ].join('');
    expect(text).toMatch(/^digraph "dependencies" \{\n/);
    expect(text).toContain('"a@1.0.0" [label="a 1.0.0", penwidth="2"];');
    expect(text).toContain('"a@1.0.0" -> "b@2.0.0" [label="^2", style="dashed"];');
    expect(text.trimEnd().endsWith('}')).toBe(true);
  });

  it('quotes ids so names cannot inject DOT', () => {
    expect(dotString('x"]; evil -> "y')).toBe('"x\\"]; evil -> \\"y"');
    expect(dotString('a\\b\nc')).toBe('"a\\\\b c"');
  });
});
