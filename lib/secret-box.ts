/**
 * Secrets at rest: AES-256-GCM with a 32-byte key (ENCRYPTION_KEY, base64). Output
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). The associated data binds a ciphertext to its owner and
 * field, so a value copied to another tenant's row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';

export function encryptionKeyFrom(base64: string | undefined): Buffer {
  if (!base64) {
    throw new DomainError('unavailable', 'encryption_not_configured', 'ENCRYPTION_KEY is not set on the server; integration secrets cannot be stored or used');
  }
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new DomainError('unavailable', 'encryption_not_configured', 'ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  return key;
}

export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function open(key: Buffer, sealed: string, aad: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('unrecognised sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
