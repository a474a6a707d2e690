// Deterministic identifiers, so a generated cluster is the same on every run (tests and benchmarks compare runs).
import { createHash } from 'node:crypto';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Ids derived from a repeat template's name (`node-{{i}}`) would be equal in every copy; their last two hex digits
 * become `{{i2}}` so each copy gets its own id (still valid hex after substitution).
 */
function perCopy(seed: string, id: string): string {
  return seed.includes('{{i') ? `${id.slice(0, -2)}{{i2}}` : id;
}

/** A UUID-shaped (version 4 layout) id derived from the seed. */
export function uidFor(seed: string): string {
  const h = sha256(`uid:${seed}`).toString('hex');
  return perCopy(seed, `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`);
}

/** Lower-case hex of the given length (container ids, sandbox ids, image digests). */
export function hexFor(seed: string, length = 64): string {
  let out = '';
  for (let n = 0; out.length < length; n++) out += sha256(`hex:${n}:${seed}`).toString('hex');
  return perCopy(seed, out.slice(0, length));
}

// The alphabet of Kubernetes' generated name suffixes (apimachinery util/rand: no vowels, no 0/1/3).
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A `generateName` suffix like the apiserver's (`cilium-6vtzq`): 5 characters for pods, 10 for ReplicaSet hashes. */
export function nameSuffix(seed: string, length = 5): string {
  const bytes = sha256(`suffix:${seed}`);
  let out = '';
  for (let n = 0; n < length; n++) out += SUFFIX_ALPHABET[(bytes[n] ?? 0) % SUFFIX_ALPHABET.length];
  return perCopy(seed, out);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** kube-proxy's chain-name hash: the first 16 characters of base32(sha256(text)) (proxier `portProtoHash`). */
export function kubeProxyHash(text: string): string {
  const bytes = sha256(text);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff; // never more than 12 pending bits
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 16) break;
  }
  return out;
}
