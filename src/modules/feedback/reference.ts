import { randomBytes } from 'node:crypto';

/** Crockford base32: no I, L, O or U, so a reference read aloud or copied by hand stays unambiguous. */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A new tracking reference, `XXXX-XXXX`: 8 characters (40 bits) from the operating system's random
 * source, so references reveal nothing about order or volume and cannot be guessed from one another.
 */
export function generateReference(): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 7; i >= 0; i--) out += alphabet[Number((bits >> BigInt(i * 5)) & 31n)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/**
 * The stored form of a reference typed by a person, or undefined when it cannot be one: any case,
 * hyphen and spaces optional, and Crockford's look-alikes read as digits (I and L as 1, O as 0).
 */
export function parseReference(input: string): string | undefined {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(cleaned)) return undefined;
  return `${cleaned.slice(0, 4)}-${cleaned.slice(4)}`;
}
