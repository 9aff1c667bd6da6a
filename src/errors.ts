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

const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** A file-system error as a few words for a one-line message (the errno's meaning, never a stack). */
export function fsErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && ERRNO_REASONS[code]) return `${ERRNO_REASONS[code]} (${code})`;
  if (code) return code;
  return String((err as Error)?.message ?? err).split('\n')[0];
}
