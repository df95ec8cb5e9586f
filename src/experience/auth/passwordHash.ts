/**
 * Password hashing with argon2id through Node's built-in `crypto.argon2` (Node ≥ 24.7; no native addon).
 * Parameters follow OWASP's password storage guidance (m = 19 MiB, t = 2, p = 1). Hashes are stored in the PHC
 * string format so parameters can be raised later and old hashes still verify.
 */
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

/** Current cost parameters; raising them only affects new hashes. */
export const ARGON2_PARAMS = Object.freeze({ memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 });

function derive(
  password: string,
  nonce: Buffer,
  memory: number,
  passes: number,
  parallelism: number,
  tagLength: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2('argon2id', { message: password, nonce, memory, passes, parallelism, tagLength }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Hashes a password; returns `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (base64, unpadded). */
export async function hashPassword(password: string): Promise<string> {
  const { memory, passes, parallelism, tagLength } = ARGON2_PARAMS;
  const salt = randomBytes(16);
  const key = await derive(password, salt, memory, passes, parallelism, tagLength);
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(salt)}$${b64(key)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Checks a password against a stored PHC hash in constant time; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PHC.exec(stored);
  if (m === null) return false;
  const [, memory, passes, parallelism, salt, hash] = m;
  const expected = Buffer.from(hash ?? '', 'base64');
  const key = await derive(
    password,
    Buffer.from(salt ?? '', 'base64'),
    Number(memory),
    Number(passes),
    Number(parallelism),
    expected.length,
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}
