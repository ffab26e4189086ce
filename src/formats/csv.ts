// A streaming RFC 4180 CSV reader, as PostgreSQL's `COPY … WITH CSV` writes it: fields are
// quoted when they hold a comma, quote, CR or LF; quotes inside are doubled; an unquoted empty
// field is NULL, a quoted empty field is the empty string. Fed string chunks of any size, it
// emits whole records, so a multi-gigabyte dump never has to sit in memory.

export type CsvField = string | null;

export class CsvError extends Error {
  constructor(
    readonly record: number,
    message: string,
  ) {
    super(`record ${record}: ${message}`);
    this.name = 'CsvError';
  }
}

export interface CsvReaderOptions {
  /** A single field longer than this is hostile input (default 64 MiB). */
  maxFieldLength?: number;
}

export class CsvReader {
  private field = '';
  private fieldQuoted = false;
  private record: CsvField[] = [];
  /** 0: start of field, 1: unquoted field, 2: inside quotes, 3: quote seen inside quotes. */
  private state = 0;
  private records = 0;
  private pendingCR = false;
  private readonly maxField: number;

  constructor(
    private readonly onRecord: (fields: CsvField[], recordNo: number) => void,
    opts: CsvReaderOptions = {},
  ) {
    this.maxField = opts.maxFieldLength ?? 64 * 1024 * 1024;
  }

  push(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (n > 0 && chunk.charCodeAt(0) === 10) i = 1;
    }
    while (i < n) {
      if (this.state === 2) {
        // Inside quotes: copy up to the next quote in one slice.
        const q = chunk.indexOf('"', i);
        if (q < 0) {
          this.append(chunk.slice(i));
          return;
        }
        this.append(chunk.slice(i, q));
        this.state = 3;
        i = q + 1;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (this.state === 3) {
        if (c === 34) {
          this.append('"');
          this.state = 2;
          i++;
          continue;
        }
        this.state = 1; // closing quote; only a delimiter may follow
        if (c !== 44 && c !== 10 && c !== 13) {
          throw new CsvError(this.records + 1, 'unexpected character after closing quote');
        }
      }
      if (c === 44) {
        this.endField();
        i++;
      } else if (c === 10 || c === 13) {
        this.endField();
        this.endRecord();
        i++;
        if (c === 13) {
          if (i < n) {
            if (chunk.charCodeAt(i) === 10) i++;
          } else {
            this.pendingCR = true;
          }
        }
      } else if (c === 34 && this.state === 0) {
        this.state = 2;
        this.fieldQuoted = true;
        i++;
      } else {
        // Unquoted run: take everything up to the next delimiter at once.
        let j = i;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13) break;
          if (d === 34) throw new CsvError(this.records + 1, 'quote inside an unquoted field');
          j++;
        }
        this.append(chunk.slice(i, j));
        this.state = 1;
        i = j;
      }
    }
  }

  /** Flushes a last record without a trailing newline; fails on an unterminated quote. */
  end(): void {
    if (this.state === 2) throw new CsvError(this.records + 1, 'unterminated quoted field');
    if (this.state !== 0 || this.record.length > 0) {
      this.endField();
      this.endRecord();
    }
  }

  private append(s: string): void {
    this.field += s;
    if (this.field.length > this.maxField) {
      throw new CsvError(this.records + 1, `field longer than ${this.maxField} characters`);
    }
  }

  private endField(): void {
    this.record.push(this.field === '' && !this.fieldQuoted ? null : this.field);
    this.field = '';
    this.fieldQuoted = false;
    this.state = 0;
  }

  private endRecord(): void {
    const rec = this.record;
    this.record = [];
    // A blank line is not a record.
    if (rec.length === 1 && rec[0] === null) return;
    this.records++;
    this.onRecord(rec, this.records);
  }
}

/** Parses a whole CSV text (small inputs and tests). */
export function parseCsv(text: string): CsvField[][] {
  const out: CsvField[][] = [];
  const r = new CsvReader((f) => out.push(f));
  r.push(text);
  r.end();
  return out;
}

/**
 * Parses a PostgreSQL array literal of text, like `{a,b,"c d",NULL}`, into its elements
 * (one dimension; NULL elements are dropped). Returns null when `s` is not an array literal.
 */
export function parsePgTextArray(s: string): string[] | null {
  if (s.length < 2 || s[0] !== '{' || s[s.length - 1] !== '}') return null;
  const out: string[] = [];
  let i = 1;
  const end = s.length - 1;
  if (i === end) return out;
  while (i <= end) {
    let value = '';
    let quoted = false;
    if (s[i] === '"') {
      quoted = true;
      i++;
      while (i < end && s[i] !== '"') {
        if (s[i] === '\\') i++;
        if (i >= end) return null;
        value += s[i];
        i++;
      }
      if (s[i] !== '"') return null;
      i++;
    } else {
      while (i < end && s[i] !== ',') {
        if (s[i] === '"' || s[i] === '{' || s[i] === '}') return null;
        if (s[i] === '\\') i++;
        if (i >= end) return null;
        value += s[i];
        i++;
      }
      value = value.trim();
      if (value === '') return null; // an empty element must be quoted
    }
    if (quoted || value !== 'NULL') out.push(value);
    if (i === end) break;
    if (s[i] !== ',') return null;
    i++;
    if (i === end) return null; // trailing comma
  }
  return out;
}
