// What a file's first bytes say it is: native executables (the thing malware ships), and the
// compressed or media containers whose high entropy is expected.

export type ExecutableFormat = 'elf' | 'pe' | 'mach-o';

export function executableFormat(data: Uint8Array): ExecutableFormat | null {
  if (data.length < 16) return null;
  const b0 = data[0]!;
  const b1 = data[1]!;
  const b2 = data[2]!;
  const b3 = data[3]!;
  if (b0 === 0x7f && b1 === 0x45 && b2 === 0x4c && b3 === 0x46) return 'elf';
  if (b0 === 0x4d && b1 === 0x5a && data.length >= 64) {
    // The DOS header points at the PE header; a bare "MZ" text file is not an executable.
    const off = data[60]! | (data[61]! << 8) | (data[62]! << 16) | (data[63]! << 24);
    if (off > 0 && off + 4 <= data.length) {
      if (data[off] === 0x50 && data[off + 1] === 0x45 && data[off + 2] === 0 && data[off + 3] === 0)
        return 'pe';
    }
    return null;
  }
  const magic = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(magic)) return 'mach-o';
  // Fat Mach-O shares 0xcafebabe with Java class files; a fat header lists few architectures.
  if (magic === 0xcafebabe) {
    const n = ((data[4]! << 24) | (data[5]! << 16) | (data[6]! << 8) | data[7]!) >>> 0;
    if (n > 0 && n < 20) return 'mach-o';
  }
  return null;
}

/** Formats that are compressed or encoded by nature (high entropy is normal for them). */
export function isKnownContainer(data: Uint8Array, path: string): boolean {
  const h = (i: number) => data[i];
  if (h(0) === 0x89 && h(1) === 0x50 && h(2) === 0x4e && h(3) === 0x47) return true; // png
  if (h(0) === 0xff && h(1) === 0xd8 && h(2) === 0xff) return true; // jpeg
  if (h(0) === 0x47 && h(1) === 0x49 && h(2) === 0x46) return true; // gif
  if (h(0) === 0x1f && h(1) === 0x8b) return true; // gzip
  if (h(0) === 0x50 && h(1) === 0x4b) return true; // zip, jar, docx, xlsx
  if (h(0) === 0xfd && h(1) === 0x37 && h(2) === 0x7a && h(3) === 0x58) return true; // xz
  if (h(0) === 0x28 && h(1) === 0xb5 && h(2) === 0x2f && h(3) === 0xfd) return true; // zstd
  if (h(0) === 0x42 && h(1) === 0x5a && h(2) === 0x68) return true; // bzip2
  if (h(0) === 0x37 && h(1) === 0x7a && h(2) === 0xbc && h(3) === 0xaf) return true; // 7z
  if (h(0) === 0x04 && h(1) === 0x22 && h(2) === 0x4d && h(3) === 0x18) return true; // lz4
  if (h(0) === 0x77 && h(1) === 0x4f && h(2) === 0x46) return true; // woff, woff2
  if (h(0) === 0x25 && h(1) === 0x50 && h(2) === 0x44 && h(3) === 0x46) return true; // pdf
  if (h(0) === 0x52 && h(1) === 0x49 && h(2) === 0x46 && h(3) === 0x46) return true; // riff: webp, wav, avi
  if (h(0) === 0x00 && h(1) === 0x61 && h(2) === 0x73 && h(3) === 0x6d) return true; // wasm
  if (h(0) === 0x4f && h(1) === 0x67 && h(2) === 0x67 && h(3) === 0x53) return true; // ogg
  if (h(0) === 0x66 && h(1) === 0x4c && h(2) === 0x61 && h(3) === 0x43) return true; // flac
  if (h(0) === 0x49 && h(1) === 0x44 && h(2) === 0x33) return true; // mp3
  if (h(4) === 0x66 && h(5) === 0x74 && h(6) === 0x79 && h(7) === 0x70) return true; // mp4, heic, avif
  if (h(0) === 0x00 && h(1) === 0x01 && h(2) === 0x00 && h(3) === 0x00) return true; // ttf
  if (h(0) === 0x4f && h(1) === 0x54 && h(2) === 0x54 && h(3) === 0x4f) return true; // otf
  if (h(0) === 0x30 && h(1) === 0x82) return true; // DER (certificates, keys)
  if (h(0) === 0x49 && h(1) === 0x49 && h(2) === 0x2a) return true; // tiff
  if (h(0) === 0x4d && h(1) === 0x4d && h(2) === 0x00 && h(3) === 0x2a) return true; // tiff
  if (h(0) === 0x00 && h(1) === 0x00 && h(2) === 0x01 && h(3) === 0x00) return true; // ico
  if (h(0) === 0x42 && h(1) === 0x4d) return true; // bmp
  if (h(0) === 0x53 && h(1) === 0x51 && h(2) === 0x4c && h(3) === 0x69) return true; // sqlite
  if (h(0) === 0x21 && h(1) === 0x3c && h(2) === 0x61 && h(3) === 0x72) return true; // ar (static libs)
  return /\.(gz|tgz|zip|xz|zst|bz2|br|lz4|7z|png|jpe?g|gif|webp|avif|ico|woff2?|ttf|otf|pdf|der|crt|cer|p12|pfx|mp[34]|ogg|flac|wav|sqlite|db|model|onnx|tflite|gguf|pb|dict|snappy|sz|lzma|deflate|zlib|br)$/i.test(
    path,
  );
}

/** Text whose bytes are mostly printable (source code, configuration, scripts). */
export function looksLikeText(data: Uint8Array): boolean {
  const n = Math.min(data.length, 4096);
  if (n === 0) return true;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const b = data[i]!;
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) bad++;
  }
  return bad * 20 < n;
}

export function byteEntropy(data: Uint8Array, max = 1 << 20): number {
  const counts = new Float64Array(256);
  const n = Math.min(data.length, max);
  if (n === 0) return 0;
  for (let i = 0; i < n; i++) counts[data[i]!]!++;
  let h = 0;
  for (let i = 0; i < 256; i++) {
    const c = counts[i]!;
    if (c > 0) {
      const p = c / n;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
