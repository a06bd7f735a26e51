import passport from 'passport';

type Verify = (req: HeaderKeyRequest, key: string, done: (err: Error | null, user?: unknown) => void) => void;

interface HeaderKeyRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** Reads the credential out of the request's headers; undefined when it offers none. */
export type HeaderCredential = (headers: HeaderKeyRequest['headers']) => string | undefined;

/** The value of one request header (e.g. `x-management-key`). */
export const headerValue =
  (name: string): HeaderCredential =>
  (headers) => {
    const value = headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

/** The token of `Authorization: Bearer <token>`. */
export const bearerToken: HeaderCredential = (headers) => {
  const value = headers.authorization;
  const m = typeof value === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value) : null;
  return m ? m[1] : undefined;
};

/**
 * A passport strategy for a credential in request headers only. passport-http-bearer also reads `access_token` from
 * the query string and the body, where a credential leaks into access logs and browser history; these do not.
 */
export class HeaderKeyPassportStrategy extends passport.Strategy {
  override name = 'header-key';

  constructor(
    private readonly credential: HeaderCredential,
    private readonly verify: Verify,
  ) {
    super();
  }

  override authenticate(req: HeaderKeyRequest): void {
    const value = this.credential(req.headers);
    if (value === undefined) {
      this.fail(401);
      return;
    }
    this.verify(req, value, (err, user) => {
      if (err) this.error(err);
      else if (!user) this.fail(401);
      else this.success(user);
    });
  }
}
