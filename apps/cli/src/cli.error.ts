/** Why a command failed; the kind alone decides the exit code. */
export enum CliErrorKind {
  /** The command line itself is wrong (bad flag value, missing argument): exit 2. */
  Usage = 'usage',
  /** The command was fine but could not be done (server down, not found, invalid config): exit 1. */
  Failure = 'failure',
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure with a one-line message that says what to do next; printed as `llmp: <message>`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly kind: CliErrorKind = CliErrorKind.Failure,
  ) {
    super(message);
    this.name = 'CliError';
  }

  get exitCode(): number {
    switch (this.kind) {
      case CliErrorKind.Usage:
        return EXIT_USAGE;
      case CliErrorKind.Failure:
        return EXIT_FAILURE;
    }
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, CliErrorKind.Usage);
}
