import { ErrorCode, type GatewayConfig, LlmpError, type ModelConfig, type ModelResolution } from '@llmp/common';
import { keyPrincipal } from '../testing/principal.fixture';
import { DEFAULT_MAX_CHOICES, DEFAULT_OUTPUT_TOKENS, TokenCapStage } from './token-cap.stage';

const stage = new TokenCapStage();

function gatewayConfigWith(models: ModelConfig[]): GatewayConfig {
  return { models } as Partial<GatewayConfig> as GatewayConfig; // the stage reads only `models`
}
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
    expect(stage.run(p, gpt4o, {}, { injectField: 'max_completion_tokens' }).body).toEqual({ max_completion_tokens: 256 });
  });

  it('clamps every output field present', () => {
    const p = keyPrincipal({ perModelMaxTokens: { '*': 10 } });
    const r = stage.run(p, gpt4o, { max_tokens: 50, max_completion_tokens: 5 });
    expect(r.body).toEqual({ max_tokens: 10, max_completion_tokens: 5 });
    expect(r.outputCap).toBe(5);
    expect(r.clientLimited).toBe(true);
  });

  it('does not treat another surface\'s field as a limit: the chat field is still injected', () => {
    const r = stage.run(keyPrincipal({ perModelMaxTokens: { '*': 10 } }), gpt4o, { max_output_tokens: 1 });
    expect(r.body).toMatchObject({ max_tokens: 10 });
    expect(r.clientLimited).toBe(false);
  });

  it('without a cap keeps the client limit, else injects the model\'s maxOutputTokens, else the default', () => {
    expect(stage.run({ kind: 'anonymous' }, gpt4o, { max_tokens: 7 })).toMatchObject({ body: { max_tokens: 7 }, outputCap: 7 });
    expect(stage.run(keyPrincipal(), gpt4o, {})).toMatchObject({ body: { max_tokens: DEFAULT_OUTPUT_TOKENS }, outputCap: DEFAULT_OUTPUT_TOKENS });
    const configured = new TokenCapStage(gatewayConfigWith([{ name: 'gpt-4o', targets: [], maxOutputTokens: 900 }]));
    expect(configured.run(keyPrincipal(), gpt4o, {})).toMatchObject({ body: { max_tokens: 900 }, outputCap: 900, clientLimited: false });
    expect(configured.run(keyPrincipal({ perModelMaxTokens: { '*': 100 } }), gpt4o, {}).outputCap).toBe(100);
    expect(configured.run(keyPrincipal(), gpt4o, { max_tokens: 5000 }).outputCap).toBe(5000);
  });

  it('counts n, and best_of on completions, and refuses more than maxChoices with the client\'s field', () => {
    expect(stage.run(keyPrincipal(), gpt4o, { n: 3 }).choices).toBe(3);
    expect(stage.run(keyPrincipal(), gpt4o, { n: 2, best_of: 5 }, { endpoint: 'completions' }).choices).toBe(5);
    expect(stage.run(keyPrincipal(), gpt4o, { n: null }).choices).toBe(1);
    expect(stage.run(keyPrincipal(), gpt4o, { n: DEFAULT_MAX_CHOICES }).choices).toBe(DEFAULT_MAX_CHOICES);
    const refused = (p: Parameters<TokenCapStage['run']>[0], body: Record<string, unknown>, options = {}): LlmpError => {
      try {
        stage.run(p, gpt4o, body, options);
      } catch (e) {
        return e as LlmpError;
      }
      throw new Error('expected a refusal');
    };
    expect(refused(keyPrincipal(), { n: DEFAULT_MAX_CHOICES + 1 }).details.param).toBe('n');
    expect(refused(keyPrincipal({ maxChoices: 4 }), { n: 5 }, { choicesParam: 'generationConfig.candidateCount' })).toMatchObject({
      code: ErrorCode.InvalidRequest,
      details: { param: 'generationConfig.candidateCount' },
    });
    expect(refused(keyPrincipal({}, { maxChoices: 2 }), { best_of: 3 }, { endpoint: 'completions' }).details.param).toBe('best_of');
    expect(refused(keyPrincipal(), { n: 0 }).details.param).toBe('n');
    expect(refused(keyPrincipal(), { n: '2' }).details.param).toBe('n');
    // A key narrows its team; the team's value applies to a key without one.
    expect(stage.run(keyPrincipal({}, { maxChoices: 20 }), gpt4o, { n: 20 }).choices).toBe(20);
    expect(refused(keyPrincipal({ maxChoices: 30 }, { maxChoices: 20 }), { n: 21 }).details.param).toBe('n');
  });

  it('leaves embeddings alone: no output limit, one choice', () => {
    const r = stage.run(keyPrincipal({ perModelMaxTokens: { '*': 10 } }), gpt4o, { input: 'x' }, { endpoint: 'embeddings' });
    expect(r).toMatchObject({ body: { input: 'x' }, outputCap: 0, choices: 1 });
  });

  it('lowers only a limit it injected', () => {
    const injected = stage.run(keyPrincipal(), gpt4o, { max_completion_tokens: null });
    expect(stage.lowered(injected, 300)).toMatchObject({ body: { max_completion_tokens: 300 }, outputCap: 300 });
    const client = stage.run(keyPrincipal(), gpt4o, { max_tokens: 5000 });
    expect(stage.lowered(client, 300)).toBe(client);
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
