// How the ingest pipeline turns JSON values into text: `Object.toString()` on what Elasticsearch's
// JSON parser produced. Objects become java.util.HashMap (printed "{k=v, k2=v2}" in hash-bucket
// order, not document order), arrays ArrayList ("[a, b]"), integers Integer/Long, fractions Double.
// Before that, the pipeline drops null and "" everywhere (and maps/lists left empty by that); the
// drop happens after the maps were filled, so a map's capacity, and thus its order, counts them.

const MAX_DEPTH = 1000; // Elasticsearch's JSON parser refuses deeper nesting

/** Java's String.hashCode: UTF-16 code units, 32-bit wrap-around. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The iteration order of a java.util.HashMap filled with `keys` in this order (distinct keys):
 * indexes into `keys`. Reproduces bucket spreading, growth at 3/4 load and the growth a crowded bin
 * causes while the table is under 64 buckets. Bins that Java turns into trees (9+ colliding keys in a
 * table of 64+) are kept in insertion order, which Java only approximately does.
 */
export function hashMapOrder(keys: readonly string[]): number[] {
  const n = keys.length;
  if (n <= 1) return n === 1 ? [0] : [];
  const hashes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const h = javaStringHash(keys[i]);
    hashes[i] = h ^ (h >>> 16);
  }
  let cap = 16;
  let threshold = 12;
  let bins: number[][] = [];
  const grow = (): void => {
    const next: number[][] = [];
    const newCap = cap * 2;
    // Java splits each bin into a low and a high bin, keeping relative order in each.
    for (let b = 0; b < cap; b++) {
      const bin = bins[b];
      if (!bin) continue;
      for (const i of bin) {
        const nb = hashes[i] & (newCap - 1);
        (next[nb] ??= []).push(i);
      }
    }
    bins = next;
    cap = newCap;
    threshold = threshold * 2;
  };
  for (let i = 0; i < n; i++) {
    const b = hashes[i] & (cap - 1);
    const bin = (bins[b] ??= []);
    bin.push(i);
    if (bin.length >= 9 && cap < 64) grow(); // treeifyBin on a small table resizes instead
    if (i + 1 > threshold) grow();
  }
  const order: number[] = [];
  for (let b = 0; b < cap; b++) {
    const bin = bins[b];
    if (bin) for (const i of bin) order.push(i);
  }
  return order;
}

/** Java's Double.toString (JDK 19+ shortest-digit form): "1.5", "100.0", "1.0E7", "1.0E-4". */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d); // plain notation in this range, shortest round-trip digits
    return s.includes('.') ? s : s + '.0';
  }
  let [mantissa, exp] = d.toExponential().split('e');
  // Java prints at least two digits, and then the two-digit decimal nearest the exact value
  // (4.9E-324, not 5.0E-324); only subnormals can tell the difference.
  if (!mantissa.includes('.')) [mantissa, exp] = d.toExponential(1).split('e');
  return mantissa + 'E' + (exp.startsWith('+') ? exp.slice(1) : exp);
}

/**
 * A JSON number as Java prints it. JSON.parse has already lost whether the text was "100" (Long) or
 * "100.0"/"1e2" (Double); integral values below 1e21 are taken as integers, the rest as doubles.
 */
export function javaNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return Object.is(n, -0) ? '0' : BigInt(n).toString();
  return javaDouble(n);
}

/** The pipeline's null/"" scrub: true when the value would be removed (recursively emptied too). */
export function isScrubbed(v: unknown, depth = 0): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (depth > MAX_DEPTH || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const item of v) if (!isScrubbed(item, depth + 1)) return false;
    return true;
  }
  for (const k in v as Record<string, unknown>) {
    if (Object.prototype.hasOwnProperty.call(v, k) && !isScrubbed((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/**
 * The value with null/"" (and maps/lists emptied by that) removed, as the pipeline's first script
 * does; `undefined` when the value itself goes. Unchanged parts are shared, not copied.
 */
export function scrub(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || depth > MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const s = scrub(v[i], depth + 1);
      if (s !== v[i] && !out) out = v.slice(0, i);
      if (out && s !== undefined) out.push(s);
    }
    const result = out ?? v;
    return result.length === 0 ? undefined : result;
  }
  const src = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  let kept = 0;
  for (const k of Object.keys(src)) {
    const s = scrub(src[k], depth + 1);
    if (s !== src[k] && !out) {
      out = {};
      for (const prev of Object.keys(src)) {
        if (prev === k) break;
        setOwn(out, prev, src[prev]);
      }
    }
    if (s !== undefined) {
      kept++;
      if (out) setOwn(out, k, s);
    }
  }
  if (kept === 0) return undefined;
  return out ?? src;
}

/** Assigns an own property, even "__proto__" (which plain assignment would treat as the prototype). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * The pipeline's text for a value: `{key=value, nested={a=b}, list=[a, b]}` for objects, after the
 * null/"" scrub, with HashMap key order. The empty string when the scrub removes the whole value.
 */
export function javaMapString(value: unknown): string {
  return render(value, 0) ?? '';
}

function render(v: unknown, depth: number): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return javaNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      return String(v);
  }
  if (depth > MAX_DEPTH) return '{...}';
  if (Array.isArray(v)) {
    const parts: string[] = [];
    for (const item of v) {
      const s = render(item, depth + 1);
      if (s !== undefined) parts.push(s);
    }
    return parts.length === 0 ? undefined : '[' + parts.join(', ') + ']';
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  const parts: string[] = [];
  for (const i of hashMapOrder(keys)) {
    const s = render(obj[keys[i]], depth + 1);
    if (s !== undefined) parts.push(keys[i] + '=' + s);
  }
  return parts.length === 0 ? undefined : '{' + parts.join(', ') + '}';
}

/** A mustache `{{field}}` rendering of a value, as the pipeline's set/append processors produce. */
export function templateString(v: unknown): string {
  return typeof v === 'string' ? v : javaMapString(v);
}
