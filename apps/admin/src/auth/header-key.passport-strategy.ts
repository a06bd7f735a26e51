import passport from 'passport';

type Verify = (req: HeaderKeyRequest, key: string, done: (err: Error | null, user?: unknown) => void) => void;

interface HeaderKeyRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** A passport strategy for a credential in one request header (passport-headerapikey is not a dependency). */
export class HeaderKeyPassportStrategy extends passport.Strategy {
  override name = 'header-key';

  constructor(
    private readonly header: string,
    private readonly verify: Verify,
  ) {
    super();
  }

  override authenticate(req: HeaderKeyRequest): void {
    const value = req.headers[this.header];
    if (typeof value !== 'string' || value === '') {
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
