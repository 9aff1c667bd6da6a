/**
 * An error caused by the user's input (a file, an argument, the environment), as opposed to a bug.
 * The CLI prints its message as a single line and exits with {@link UserError.exitCode}; no stack trace.
 * Messages name the file or argument, what was expected, what was found and what to do.
 */
export class UserError extends Error {
  /** Process exit code the CLI uses for this error (2 = bad usage/argument, 1 = bad input or failed check). */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A bad command-line argument or option: exit code 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
