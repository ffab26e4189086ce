// The question name of a DNS query packet (RFC 1035 §4.1), as sent over UDP. The sandbox's
// resolv.conf points at 127.0.0.1, where the DNS sinkhole (dns-sinkhole.ts) answers with a
// loopback address: the traced query packet is the record of the name looked up.

/** The queried name, or null when the bytes are not a plausible DNS query. */
export function dnsQueryName(packet: Buffer): string | null {
  if (packet.length < 17) return null;
  const flags = packet.readUInt16BE(2);
  const qdcount = packet.readUInt16BE(4);
  // A standard query (QR=0, opcode 0) with one question.
  if ((flags & 0xf800) !== 0 || qdcount !== 1) return null;
  const labels: string[] = [];
  let i = 12;
  while (i < packet.length) {
    const len = packet[i]!;
    if (len === 0) break;
    if (len > 63 || i + 1 + len > packet.length) return null;
    const label = packet.subarray(i + 1, i + 1 + len).toString('latin1');
    if (!/^[A-Za-z0-9_-]+$/.test(label)) return null;
    labels.push(label);
    i += 1 + len;
  }
  if (labels.length === 0 || i + 4 >= packet.length + 1) return null;
  return labels.join('.').toLowerCase();
}
