import { ErrorCode, LlmpError } from '@llmp/common';

export type GeminiAction = 'generateContent' | 'streamGenerateContent';

/**
 * `models/{model}:{action}` from the request URL. The model may contain dots and slashes, so it is taken from the raw
 * path rather than a route parameter.
 */
export function geminiRouteOf(url: string): { model: string; action: GeminiAction } {
  const path = url.split('?')[0];
  const rest = decodeURIComponent(path.slice(path.indexOf('/models/') + '/models/'.length));
  const colon = rest.lastIndexOf(':');
  const action = colon === -1 ? '' : rest.slice(colon + 1);
  const model = colon === -1 ? rest : rest.slice(0, colon);
  if (action !== 'generateContent' && action !== 'streamGenerateContent') {
    throw new LlmpError(ErrorCode.NotFound, `Unknown method "${action || rest}": use :generateContent or :streamGenerateContent.`);
  }
  if (!model.trim()) throw new LlmpError(ErrorCode.InvalidRequest, 'the model is missing from the URL', { param: 'model' });
  return { model: model.trim(), action };
}
