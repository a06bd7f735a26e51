import { ErrorCode } from '../errors/error-code';
import { LlmpError } from '../errors/llmp.error';

/**
 * A request field that cannot be honoured where the request is going. The code stays `unsupported`, but the status
 * is 400, not the 501 of an unsupported endpoint: the client can fix the request by dropping or changing the field.
 */
export class UnsupportedFieldError extends LlmpError {
  private constructor(field: string, where: string) {
    super(ErrorCode.Unsupported, `field ${field} is not supported by ${where}`, { param: field });
    this.name = 'UnsupportedFieldError';
  }

  /** The target provider kind cannot do what the field asks. */
  static forProvider(field: string, providerType: string): UnsupportedFieldError {
    return new UnsupportedFieldError(field, `provider type ${providerType}`);
  }

  /** The canonical (OpenAI chat) contract cannot carry the field from this inbound surface. */
  static forSurface(field: string, surface: string): UnsupportedFieldError {
    return new UnsupportedFieldError(field, `llmp's ${surface} surface`);
  }

  override get status(): number {
    return 400;
  }
}
