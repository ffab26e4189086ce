// A small tar encoder that writes exactly what it is told. It does not validate, so tests
// can build the hostile archives the reader must refuse (links, devices, `..` names,
// lying sizes, invalid UTF-8 names); the safe writer in crate-archive.ts validates first.
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';

const gzip = promisify(gzipCb);

export type RawTarEntryType =
  'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';

export interface RawTarEntry {
  name: string;
  type?: RawTarEntryType;
  /** A raw typeflag character, overriding `type` (for types the reader must refuse, e.g. 'S'). */
  typeflag?: string;
  data?: Buffer | string;
  linkname?: string;
  /** Declared size in the header; defaults to the data's length (may lie on purpose). */
  size?: number;
  mode?: number;
  /** Extra pax records, written in a pax header before the entry. */
  pax?: Record<string, string>;
  /** The name's raw bytes, overriding `name` (for names that are not valid UTF-8). */
  nameBytes?: Buffer;
  /** How a name longer than the header allows is stored: GNU `L` record (as cargo does) or pax. */
  longName?: 'gnu' | 'pax';
  /** Header modification time in seconds; defaults to a fixed value for reproducible output. */
  mtime?: number;
}

export interface RawTarOptions {
  gzip?: boolean;
  /** Write the two zero blocks that end a tar archive (default true). */
  endMarker?: boolean;
}

/** Cargo's fixed mtime for generated files (2006-07-24), so archives are reproducible. */
export const FIXED_MTIME = 1153704088;

const BLOCK = 512;

const TYPEFLAG: Record<RawTarEntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function writeNumber(header: Buffer, offset: number, width: number, value: number): void {
  if (value >= 0 && value < 8 ** (width - 1)) {
    header.write(octal(value, width), offset, 'latin1');
    return;
  }
  // GNU base-256: high bit of the first byte set, big-endian value in the rest.
  header[offset] = 0x80;
  let rest = value;
  for (let i = width - 1; i > 0; i--) {
    header[offset + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

function paddingFor(size: number): number {
  const rem = size % BLOCK;
  return rem === 0 ? 0 : BLOCK - rem;
}

interface HeaderFields {
  name: Buffer;
  prefix?: Buffer;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname?: Buffer;
  gnuMagic?: boolean;
}

function encodeHeader(f: HeaderFields): Buffer {
  const h = Buffer.alloc(BLOCK);
  f.name.copy(h, 0, 0, Math.min(f.name.length, 100));
  writeNumber(h, 100, 8, f.mode & 0o7777);
  writeNumber(h, 108, 8, 0); // uid
  writeNumber(h, 116, 8, 0); // gid
  writeNumber(h, 124, 12, f.size);
  writeNumber(h, 136, 12, f.mtime);
  h.write(f.typeflag, 156, 'latin1');
  if (f.linkname) f.linkname.copy(h, 157, 0, Math.min(f.linkname.length, 100));
  if (f.gnuMagic) h.write('ustar  \0', 257, 'latin1');
  else h.write('ustar\u000000', 257, 'latin1');
  if (f.prefix) f.prefix.copy(h, 345, 0, Math.min(f.prefix.length, 155));
  // The checksum is computed with its own field read as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'latin1');
  return h;
}

function paxRecords(records: Record<string, string | Buffer>): Buffer {
  const out: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), Buffer.from(value), Buffer.from('\n')]);
    // The length prefix counts its own digits.
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    out.push(Buffer.from(String(length), 'latin1'), body);
  }
  return Buffer.concat(out);
}

/** Where a name goes in a ustar header: whole, or split at a `/` into prefix + name. */
function splitUstarName(name: Buffer): { name: Buffer; prefix?: Buffer } | null {
  if (name.length <= 100) return { name };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    const rest = name.length - i - 1;
    if (rest > 100) break;
    if (i <= 155 && rest > 0) return { prefix: name.subarray(0, i), name: name.subarray(i + 1) };
  }
  return null;
}

function pushData(out: Buffer[], data: Buffer): void {
  out.push(data);
  const pad = paddingFor(data.length);
  if (pad > 0) out.push(Buffer.alloc(pad));
}

/** Encodes entries as an uncompressed tar, verbatim. */
export function encodeRawTar(entries: RawTarEntry[], options: { endMarker?: boolean } = {}): Buffer {
  const out: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const data =
      typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : (entry.data ?? Buffer.alloc(0));
    const nameBytes = entry.nameBytes ?? Buffer.from(entry.name, 'utf8');
    const mtime = entry.mtime ?? FIXED_MTIME;
    const pax: Record<string, string | Buffer> = { ...entry.pax };
    let fields: HeaderFields = {
      name: nameBytes,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      size: entry.size ?? data.length,
      mtime,
      typeflag: entry.typeflag ?? TYPEFLAG[type],
    };
    if (entry.linkname !== undefined) fields.linkname = Buffer.from(entry.linkname, 'utf8');

    const split = splitUstarName(nameBytes);
    if (split) {
      fields = { ...fields, ...split };
    } else if ((entry.longName ?? 'gnu') === 'gnu') {
      const longData = Buffer.concat([nameBytes, Buffer.from([0])]);
      const longHeader = encodeHeader({
        name: Buffer.from('././@LongLink'),
        mode: 0o644,
        size: longData.length,
        mtime: 0,
        typeflag: 'L',
        gnuMagic: true,
      });
      out.push(longHeader);
      pushData(out, longData);
      fields.gnuMagic = true;
    } else {
      pax.path = nameBytes;
    }

    if (Object.keys(pax).length > 0) {
      const records = paxRecords(pax);
      out.push(
        encodeHeader({
          name: Buffer.from('PaxHeader', 'latin1'),
          mode: 0o644,
          size: records.length,
          mtime,
          typeflag: 'x',
        }),
      );
      pushData(out, records);
    }
    out.push(encodeHeader(fields));
    if (data.length > 0) pushData(out, data);
  }
  if (options.endMarker ?? true) out.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(out);
}

/** A tar (gzipped unless `gzip: false`) of the entries exactly as given, without validation. */
export async function writeRawTarGz(entries: RawTarEntry[], opts: RawTarOptions = {}): Promise<Buffer> {
  const tar = encodeRawTar(entries, { endMarker: opts.endMarker ?? true });
  return opts.gzip === false ? tar : gzip(tar);
}
