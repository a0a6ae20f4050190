// IP address rules, in the two places Elastic applies them to CloudTrail data:
//  1. the ingest pipeline copies `source.address` to `source.ip` only when grok `^%{IP:source.ip}$`
//     matches (grokIpCapture below), and
//  2. Elasticsearch's `ip` field type then parses the value (isIpAddress / parseIpAddress); a value it
//     rejects is not indexed (logs data streams use ignore_malformed), so no query can match it.
// Both are written here from their documented behaviour; Java's int/byte overflow in the ES parser is
// reproduced on purpose, because "what Elasticsearch accepts" is the contract.

const V4_PARTS = 4;
const V6_PARTS = 8;

/** True when Elasticsearch's `ip` field type accepts the string (IPv4, IPv6, IPv4-in-IPv6, scope ids). */
export function isIpAddress(s: string): boolean {
  return typeof s === 'string' && parseIpAddress(s) !== undefined;
}

/**
 * The 16-byte form (IPv4 as ::ffff:a.b.c.d, like Lucene's InetAddressPoint) of an address the `ip`
 * type accepts; undefined when it rejects the string. Useful for CIDR matching.
 */
export function parseIpAddress(s: string): Uint8Array | undefined {
  if (typeof s !== 'string') return undefined;
  let end = s.length;
  let lastColon = -1;
  let hasDot = false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return undefined; // ASCII only
    if (c === 0x2e /* . */) {
      hasDot = true;
    } else if (c === 0x3a /* : */) {
      if (hasDot) return undefined; // a colon after a dot
      lastColon = i;
    } else if (c === 0x25 /* % */) {
      if (i === s.length - 1) return undefined; // an empty scope id
      end = i; // the scope id is ignored, whatever it holds
      break;
    }
  }
  if (lastColon >= 0) {
    let text = s.slice(0, end);
    if (hasDot) {
      const quad = parseV4(text, lastColon + 1, text.length);
      if (!quad) return undefined;
      text = text.slice(0, lastColon + 1) + hex4(quad[0], quad[1]) + ':' + hex4(quad[2], quad[3]);
    }
    return parseV6(text);
  }
  if (hasDot) {
    const quad = parseV4(s, 0, end);
    if (!quad) return undefined;
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(quad, 12);
    return out;
  }
  return undefined;
}

function hex4(a: number, b: number): string {
  return ((a << 8) | b).toString(16).padStart(4, '0');
}

const toByte = (n: number): number => (n << 24) >> 24; // Java byte arithmetic

function parseV4(s: string, start: number, end: number): Uint8Array | undefined {
  const bytes = new Uint8Array(V4_PARTS);
  let octet = 0;
  let digits = 0; // a Java byte in Elasticsearch: it wraps after 127
  let current = 0; // a Java int: it wraps too
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (octet >= V4_PARTS || digits === 0 || current > 255) return undefined;
      bytes[octet++] = current;
      current = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits !== 0 && current === 0) return undefined; // a leading zero
      current = (Math.imul(current, 10) + (c - 0x30)) | 0;
      digits = toByte(digits + 1);
    } else {
      return undefined;
    }
  }
  if (octet !== V4_PARTS - 1 || digits === 0 || current > 255) return undefined;
  bytes[octet] = current;
  return bytes;
}

function parseV6(s: string): Uint8Array | undefined {
  const n = s.length;
  if (n < 2) return undefined;
  if (s[0] === ':' && s[1] !== ':') return undefined; // a single leading colon
  if (s[n - 1] === ':' && s[n - 2] !== ':') return undefined; // a single trailing colon
  const hextets: number[] = [];
  let compressedAt = -1;
  let hextetStart = 0;
  let current = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a) {
      if (hextetStart === i) {
        if (compressedAt >= 0 && i !== 1) return undefined; // a second "::"
        compressedAt = hextets.length;
      } else {
        if (!pushHextet(hextets, current)) return undefined;
        current = 0;
      }
      hextetStart = i + 1;
    } else {
      const d = hexValue(c);
      if (d < 0) return undefined;
      current = (Math.imul(current, 16) + d) | 0;
    }
  }
  if (hextetStart < n && !pushHextet(hextets, current)) return undefined;
  let full: number[];
  if (compressedAt >= 0) {
    if (hextets.length >= V6_PARTS) return undefined;
    const zeros = new Array<number>(V6_PARTS - hextets.length).fill(0);
    full = [...hextets.slice(0, compressedAt), ...zeros, ...hextets.slice(compressedAt)];
  } else {
    if (hextets.length !== V6_PARTS) return undefined;
    full = hextets;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < V6_PARTS; i++) {
    out[2 * i] = (full[i] >> 8) & 0xff;
    out[2 * i + 1] = full[i] & 0xff;
  }
  return out;
}

function pushHextet(hextets: number[], value: number): boolean {
  // Elasticsearch compares a (possibly overflowed, signed) int with 0xffff; negative values pass.
  if (hextets.length >= V6_PARTS || value > 0xffff) return false;
  hextets.push(value & 0xffff);
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// The grok `IP` pattern (IPV6 | IPV4) anchored with ^...$ as the pipeline does.

// Grok's IPV4 octet allows leading zeros ("010"); Elasticsearch later refuses those.
const GROK_V4 = /^(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])\.){3}(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])$/;
// The IPv4 tail inside grok's IPV6 has no leading zeros.
const GROK_V6_V4_TAIL = /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const HEXTET = /^[0-9A-Fa-f]{1,4}$/;

/** Grok's IPV6: RFC 4291 text (1-4 hex digits a group, one "::", an IPv4 tail), then an optional `%zone`. */
function grokV6(line: string): boolean {
  const pct = line.indexOf('%');
  const addr = pct >= 0 ? line.slice(0, pct) : line;
  if (pct >= 0 && pct === line.length - 1) return false; // `%.+` needs a character
  const dbl = addr.indexOf('::');
  if (dbl >= 0 && addr.indexOf('::', dbl + 1) >= 0) return false;
  const countGroups = (part: string, allowV4Tail: boolean): number => {
    if (part === '') return 0;
    const groups = part.split(':');
    let count = 0;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        if (!GROK_V6_V4_TAIL.test(g)) return -1;
        count += 2;
      } else if (HEXTET.test(g)) {
        count += 1;
      } else {
        return -1;
      }
    }
    return count;
  };
  if (dbl < 0) return countGroups(addr, true) === 8;
  const head = countGroups(addr.slice(0, dbl), false);
  const tail = countGroups(addr.slice(dbl + 2), true);
  return head >= 0 && tail >= 0 && head + tail <= 7;
}

/**
 * What `grok { field: source.address, patterns: ["^%{IP:source.ip}$"] }` captures, or undefined.
 * Grok runs Ruby-syntax regexes, where ^ and $ are line anchors: on a multi-line value the first line
 * that is wholly an address is captured.
 */
export function grokIpCapture(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let start = 0;
  for (;;) {
    const nl = value.indexOf('\n', start);
    const line = nl < 0 ? value.slice(start) : value.slice(start, nl);
    if (line.length > 0 && (GROK_V4.test(line) || grokV6(line))) return line;
    if (nl < 0) return undefined;
    start = nl + 1;
  }
}

/** The value the pipeline puts in `source.ip` and Elasticsearch indexes, or undefined. */
export function sourceIpOf(address: unknown): string | undefined {
  const captured = grokIpCapture(address);
  return captured !== undefined && isIpAddress(captured) ? captured : undefined;
}
