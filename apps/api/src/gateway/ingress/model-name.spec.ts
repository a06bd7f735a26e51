import { ErrorCode, LlmpError } from '@llmp/common';
import { boundedModelName, MAX_MODEL_CHARS } from './model-name';

describe('boundedModelName', () => {
  it('passes names up to the bound', () => {
    const name = 'm'.repeat(MAX_MODEL_CHARS);
    expect(boundedModelName(name)).toBe(name);
    expect(boundedModelName('local-vllm://llama-3.1-8b')).toBe('local-vllm://llama-3.1-8b');
  });

  it('refuses a longer one with 400 invalid_request_error naming model', () => {
    let caught: unknown;
    try {
      boundedModelName('m'.repeat(MAX_MODEL_CHARS + 1));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LlmpError);
    const e = caught as LlmpError;
    expect({ status: e.status, code: e.code, param: e.details.param }).toEqual({ status: 400, code: ErrorCode.InvalidRequest, param: 'model' });
  });
});
