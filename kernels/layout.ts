// Moves between tfjs's NHWC rows and the kernels' channel-major maps: the model's input into the first
// map, a map into the rows a Flatten gives (NHWC order is what the next Dense kernel expects) and back.

/**
 * Channel-major map m [C][N][H][rowW] (`plane` floats per channel) from NHWC rows t when `toMap` (the map is
 * zeroed first, so its padding columns are zero), else NHWC rows from the map.
 */
export function nhwc(t: usize, N: i32, H: i32, W: i32, C: i32, rowW: i32, plane: i32, m: usize, toMap: bool): void {
  if (toMap) memory.fill(m, 0, <usize>(C * plane) << 2);
  const step = <usize>plane << 2;
  let at = t;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        let p = m + (<usize>((n * H + h) * rowW + w) << 2);
        if (C == 1) {
          if (toMap) store<f32>(p, load<f32>(at));
          else store<f32>(at, load<f32>(p));
          at += 4;
          continue;
        }
        for (let c = 0; c < C; c++) {
          if (toMap) store<f32>(p, load<f32>(at));
          else store<f32>(at, load<f32>(p));
          p += step;
          at += 4;
        }
      }
    }
  }
}
