import { deriveKeySecret, generateKeySecret, hashKeySecret, isWellFormedKey, keyPrefixOf, rotationPurpose } from './key-material';

describe('key material', () => {
  it('generates llmp_ + 43 base64url characters, unique each time', () => {
    const a = generateKeySecret();
    expect(a).toMatch(/^llmp_[A-Za-z0-9_-]{43}$/);
    expect(generateKeySecret()).not.toBe(a);
    expect(isWellFormedKey(a)).toBe(true);
  });

  it('hashes with SHA-256 hex and shows a short prefix', () => {
    expect(hashKeySecret('llmp_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(keyPrefixOf('llmp_abcdefghij')).toBe('llmp_abcdef');
  });

  it('derives the same secret for the same purpose, a different one otherwise', () => {
    const a = deriveKeySecret('server', rotationPurpose('key_1', 'idem'));
    expect(deriveKeySecret('server', rotationPurpose('key_1', 'idem'))).toBe(a);
    expect(deriveKeySecret('server', rotationPurpose('key_1', 'other'))).not.toBe(a);
    expect(isWellFormedKey(a)).toBe(true);
  });

  it.each(['', 'llmp_', 'sk-abc', "llmp_' OR 1=1 --", 'llmp_' + 'a'.repeat(8192), 'llmp_' + 'é'.repeat(43), 'llmp_\u0000' + 'a'.repeat(43)])(
    'rejects malformed %#',
    (v) => expect(isWellFormedKey(v)).toBe(false),
  );
});
