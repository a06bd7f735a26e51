import { ErrorCode, LlmpError, type ModelResolution } from '@llmp/common';
import { keyPrincipal } from '../testing/principal.fixture';
import { TokenCapStage } from './token-cap.stage';

const stage = new TokenCapStage();
const gpt4o: ModelResolution = { requested: 'smart', resolved: 'gpt-4o', aliasChain: ['smart', 'gpt-4o'] };

describe('TokenCapStage', () => {
  it('clamps max_tokens to the per-model cap and never mutates the input', () => {
    const body = Object.freeze({ model: 'smart', max_tokens: 4000 });
    const r = stage.run(keyPrincipal({ perModelMaxTokens: { 'gpt-4o': 512, '*': 2048 } }), gpt4o, body);
    expect(r.body).toEqual({ model: 'smart', max_tokens: 512 });
    expect(body.max_tokens).toBe(4000);
    expect(r.outputCap).toBe(512);
    expect(r.applied.clamped).toEqual([{ field: 'max_tokens', from: 4000, to: 512 }]);
  });

  it('uses * for other models and keeps smaller client values', () => {
    const mini: ModelResolution = { requested: 'gpt-4o-mini', resolved: 'gpt-4o-mini', aliasChain: ['gpt-4o-mini'] };
    const r = stage.run(keyPrincipal({ perModelMaxTokens: { 'gpt-4o': 512, '*': 2048 } }), mini, { max_completion_tokens: 100 });
    expect(r.body).toEqual({ max_completion_tokens: 100 });
    expect(r.outputCap).toBe(100);
    expect(r.applied.cap).toBe(2048);
  });

  it('combines key and team caps to the smaller', () => {
    const p = keyPrincipal({ perModelMaxTokens: { '*': 1000 } }, { perModelMaxTokens: { 'gpt-4o': 300 } });
    expect(stage.run(p, gpt4o, {}).outputCap).toBe(300);
    const q = keyPrincipal({ perModelMaxTokens: { 'gpt-4o': 200 } }, { perModelMaxTokens: { '*': 300 } });
    expect(stage.run(q, gpt4o, {}).applied).toMatchObject({ cap: 200, keyCap: 200, teamCap: 300 });
  });

  it('injects max_tokens when absent, or the field the client used as null, or the requested field', () => {
    const p = keyPrincipal({ perModelMaxTokens: { '*': 256 } });
    expect(stage.run(p, gpt4o, { model: 'x' }).body).toEqual({ model: 'x', max_tokens: 256 });
    expect(stage.run(p, gpt4o, { max_completion_tokens: null }).body).toEqual({ max_completion_tokens: 256 });
    expect(stage.run(p, gpt4o, {}, { injectField: 'max_output_tokens' }).body).toEqual({ max_output_tokens: 256 });
  });

  it('clamps every output field present', () => {
    const p = keyPrincipal({ perModelMaxTokens: { '*': 10 } });
    const r = stage.run(p, gpt4o, { max_tokens: 50, max_completion_tokens: 5, max_output_tokens: 11 });
    expect(r.body).toEqual({ max_tokens: 10, max_completion_tokens: 5, max_output_tokens: 10 });
    expect(r.outputCap).toBe(5);
  });

  it('without a cap passes the body through and reports the client limit or null', () => {
    expect(stage.run({ kind: 'anonymous' }, gpt4o, { max_tokens: 7 })).toMatchObject({ body: { max_tokens: 7 }, outputCap: 7 });
    expect(stage.run(keyPrincipal(), gpt4o, {}).outputCap).toBeNull();
  });

  it.each([-1, 1.5, '100', true, {}])('rejects max_tokens=%p as invalid_request_error', (v) => {
    try {
      stage.run(keyPrincipal(), gpt4o, { max_tokens: v });
      fail('expected an error');
    } catch (e) {
      expect((e as LlmpError).code).toBe(ErrorCode.InvalidRequest);
      expect((e as LlmpError).details.param).toBe('max_tokens');
    }
  });
});

describe('TokenCapStage on forced targets', () => {
  const caps = { perModelMaxTokens: { 'gpt-4o': 512, 'mock://mock-large': 64, 'mock-large': 100000, '*': 2048 } };

  it('caps a forced configured target as its configured model', () => {
    const r: ModelResolution = { requested: 'openai://gpt-4o', resolved: 'gpt-4o', aliasChain: ['openai://gpt-4o'], forced: { provider: 'openai', model: 'gpt-4o' } };
    expect(stage.run(keyPrincipal(caps), r, { max_tokens: 100000 }).body).toEqual({ max_tokens: 512 });
  });

  it('caps any other forced target by provider://model or *, never by the bare upstream name', () => {
    const large: ModelResolution = { requested: 'mock://mock-large', resolved: 'mock://mock-large', aliasChain: ['mock://mock-large'], forced: { provider: 'mock', model: 'mock-large' } };
    expect(stage.run(keyPrincipal(caps), large, {}).outputCap).toBe(64);
    const other: ModelResolution = { requested: 'mock://x', resolved: 'mock://x', aliasChain: ['mock://x'], forced: { provider: 'mock', model: 'x' } };
    expect(stage.run(keyPrincipal(caps), other, { max_tokens: 100000 }).outputCap).toBe(2048);
  });
});
