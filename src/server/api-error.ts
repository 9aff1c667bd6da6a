/**
 * An API failure with the HTTP status the Open Inference Protocol asks for; the error handler turns it into
 * `{"error": message}` so every route answers failures in the one shape clients parse.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400 naming the request field at fault, e.g. `inputs[0].shape: ...`. */
export function badField(field: string, message: string): ApiError {
  return new ApiError(400, `${field}: ${message}`);
}
