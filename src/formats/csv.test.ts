import { describe, expect, it } from 'vitest';
import { CsvError, CsvReader, parseCsv, parsePgTextArray } from './csv.js';

describe('CsvReader', () => {
  it('reads quoted fields with commas, quotes and line breaks, and tells NULL from empty', () => {
    expect(parseCsv('a,b,c\n1,"x, ""y""\nz",\n2,"",q\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"\nz', null],
      ['2', '', 'q'],
    ]);
  });

  it('gives the same records however the text is split into chunks', () => {
    const text = 'id,name\r\n1,"a\r\nb"\r\n2,"c""d"\r\n3,e';
    const whole = parseCsv(text);
    expect(whole).toEqual([
      ['id', 'name'],
      ['1', 'a\r\nb'],
      ['2', 'c"d'],
      ['3', 'e'],
    ]);
    for (let size = 1; size <= 7; size++) {
      const out: (string | null)[][] = [];
      const r = new CsvReader((f) => out.push(f));
      for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
      r.end();
      expect(out, `chunk size ${size}`).toEqual(whole);
    }
  });

  it('skips blank lines and numbers records', () => {
    const nums: number[] = [];
    const r = new CsvReader((_f, n) => nums.push(n));
    r.push('a\n\nb\n');
    r.end();
    expect(nums).toEqual([1, 2]);
  });

  it('rejects malformed input', () => {
    expect(() => parseCsv('a,"b')).toThrow(/unterminated/);
    expect(() => parseCsv('a,"b"c\n')).toThrow(CsvError);
    expect(() => parseCsv('a,b"c\n')).toThrow(/quote inside/);
  });

  it('refuses an oversized field', () => {
    const r = new CsvReader(() => undefined, { maxFieldLength: 10 });
    expect(() => r.push(`"${'x'.repeat(11)}"`)).toThrow(/longer than 10/);
    const r2 = new CsvReader(() => undefined, { maxFieldLength: 10 });
    expect(() => {
      for (let i = 0; i < 20; i++) r2.push('y');
    }).toThrow(/longer than 10/);
  });
});

describe('parsePgTextArray', () => {
  it('parses PostgreSQL text arrays', () => {
    expect(parsePgTextArray('{}')).toEqual([]);
    expect(parsePgTextArray('{a,b}')).toEqual(['a', 'b']);
    expect(parsePgTextArray('{"a b","c,d","e\\"f",g\\\\h}')).toEqual(['a b', 'c,d', 'e"f', 'g\\h']);
    expect(parsePgTextArray('{"NULL",NULL,x}')).toEqual(['NULL', 'x']);
  });
  it('rejects what is not an array literal', () => {
    for (const s of ['', 'a,b', '{a,b', '{a,}', '{"a}', '{a"b}', '{{a}}', '{a,,b}']) {
      expect(parsePgTextArray(s), s).toBeNull();
    }
  });
});
