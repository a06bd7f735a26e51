import { createHmac, hash, randomBytes } from 'node:crypto';

/** Every llmp data plane key starts with this; the random part is base64url. */
export const KEY_PREFIX = 'llmp_';

const KEY_SHAPE = /^llmp_[A-Za-z0-9_-]{43,128}$/;

/** Whether a candidate could be an llmp key at all; anything else is rejected without a lookup. */
export function isWellFormedKey(candidate: string): boolean {
  return candidate.length <= 133 && KEY_SHAPE.test(candidate);
}

/** A fresh secret: `llmp_` + base64url of 32 random bytes (43 characters). */
export function generateKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 hex of the whole secret; the only form in which a key is stored. Runs on every request: the one-shot
 * `crypto.hash` is about 2.5x cheaper than a Hash object for a string this short.
 */
export function hashKeySecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The display prefix shown in lists: `llmp_` + the first 6 characters of the random part. */
export function keyPrefixOf(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 6);
}

/** A stable public id, unrelated to the secret. */
export function newKeyId(): string {
  return 'key_' + randomBytes(12).toString('base64url');
}

/** A public team id. */
export function newTeamId(): string {
  return 'team_' + randomBytes(12).toString('base64url');
}

/**
 * A secret derived from the server secret, so a replayed request can reproduce it without the plaintext being
 * stored anywhere.
 */
export function deriveKeySecret(serverSecret: string, purpose: string): string {
  return KEY_PREFIX + createHmac('sha256', serverSecret).update(purpose, 'utf8').digest('base64url');
}

/** The purpose string of an idempotent rotation. */
export function rotationPurpose(keyId: string, idempotencyKey: string): string {
  return `rotate:${keyId}:${idempotencyKey}`;
}

/** The purpose string of the demo key seeded at admin boot. */
export const DEMO_KEY_PURPOSE = 'llmp-demo-key';
