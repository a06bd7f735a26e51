import type { CanonicalRequest } from '@llmp/common';
import { RequestTrace } from './request-trace';

describe('RequestTrace.addCompletion', () => {
  it('keeps at most 64 K characters of streamed text and counts all of them', () => {
    const trace = new RequestTrace({} as CanonicalRequest);
    const piece = 'x'.repeat(10_000);
    for (let i = 0; i < 1000; i++) trace.addCompletion(piece);
    expect(trace.completionChars).toBe(10_000_000);
    expect(trace.completionText.join('')).toHaveLength(64 * 1024);
  });

  it('keeps short answers whole', () => {
    const trace = new RequestTrace({} as CanonicalRequest);
    for (const w of ['Hello', ', ', 'world']) trace.addCompletion(w);
    expect([trace.completionText.join(''), trace.completionChars]).toEqual(['Hello, world', 12]);
  });
});
