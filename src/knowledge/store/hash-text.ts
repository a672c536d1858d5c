import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts, each length-prefixed so ("ab","c") and ("a","bc") differ. */
export function hashText(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:`).update(part);
  return hash.digest('hex');
}
