/**
 * A reader of the protobuf wire format that walks one message's fields and skips what the caller does not ask
 * for. The ONNX header reader uses it instead of a full decode: the facts it reports sit in a few small fields,
 * while a model's bytes are mostly weights it never needs to look at.
 *
 * Shared code: no Node and no DOM imports.
 */

/** The bytes break the wire format; the message says where, in one line. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

/** One field of a message: its number and wire type, and where its value sits. */
export interface WireField {
  number: number;
  wireType: number;
  /** The value of a varint field, as a signed 64-bit integer (exact up to 2^53). */
  varint: number;
  /** For a length-delimited field, its bytes (a view, not a copy). */
  bytes: Uint8Array;
}

const utf8 = new TextDecoder();

/** A length-delimited field's bytes as UTF-8 text. */
export function text(f: WireField): string {
  return utf8.decode(f.bytes);
}

/**
 * Call `visit` for each field of the message in `bytes`, in order.
 * @throws WireFormatError for a truncated field, an over-long varint, field number 0, or a wire type that is
 *   not one of varint, fixed64, length-delimited and fixed32 (groups included: ONNX has none).
 */
export function eachField(bytes: Uint8Array, visit: (f: WireField) => void): void {
  let pos = 0;
  const end = bytes.length;
  const varint = (): number => {
    let lo = 0,
      hi = 0,
      shift = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new WireFormatError(`a varint runs past the end of the data at offset ${pos}`);
      const b = bytes[pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if (b < 0x80) return (hi | 0) * 2 ** 32 + (lo >>> 0);
    }
    throw new WireFormatError(`a varint longer than 10 bytes ends at offset ${pos}`);
  };
  const take = (n: number, what: string): Uint8Array => {
    if (n < 0 || n > end - pos)
      throw new WireFormatError(`${what} of ${n} bytes at offset ${pos} runs past the end of the data (${end} bytes)`);
    const v = bytes.subarray(pos, pos + n);
    pos += n;
    return v;
  };
  while (pos < end) {
    const at = pos;
    const tag = varint();
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number < 1 || number > 0x1fffffff) throw new WireFormatError(`field number ${number} at offset ${at}`);
    const f: WireField = { number, wireType, varint: 0, bytes: bytes.subarray(0, 0) };
    if (wireType === VARINT) f.varint = varint();
    else if (wireType === FIXED64) take(8, 'a fixed64 field');
    else if (wireType === FIXED32) take(4, 'a fixed32 field');
    else if (wireType === LENGTH_DELIMITED) f.bytes = take(varint(), 'a length-delimited field');
    else throw new WireFormatError(`invalid wire type ${wireType} at offset ${at}`);
    visit(f);
  }
}

/**
 * The field's value as the kind the schema declares, refusing a field whose wire type says otherwise.
 * @throws WireFormatError naming the field.
 */
export function expectWireType(f: WireField, wireType: number, field: string): WireField {
  if (f.wireType !== wireType)
    throw new WireFormatError(`field ${field} (${f.number}) has wire type ${f.wireType}, expected ${wireType}`);
  return f;
}
