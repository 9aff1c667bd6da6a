/**
 * The element's shadow DOM. Colours and the pad's size are custom properties so a host page restyles the
 * widget from outside without reaching into the shadow root:
 * --lenet-pad-size, --lenet-line-height, --lenet-ink, --lenet-paper, --lenet-bar, --lenet-bar-top, --lenet-text,
 * --lenet-muted, --lenet-accent, --lenet-error, --lenet-font.
 * In number and expression modes (`data-mode` on .widget) the pad is a wide line and the bars give way to
 * the reading drawn over the ink.
 */
export const TEMPLATE = `
<style>
  :host {
    display: inline-block;
    --_size: var(--lenet-pad-size, 240px);
    font: 14px/1.3 var(--lenet-font, system-ui, sans-serif);
    color: var(--lenet-text, #1d2330);
  }
  :host([hidden]) { display: none; }
  .widget { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  .pad { display: flex; flex-direction: column; gap: 6px; width: calc(var(--_size) + 2px); }
  canvas {
    width: var(--_size); height: var(--_size);
    background: var(--lenet-paper, #fdfdf8);
    border: 1px solid var(--lenet-muted, #8a90a0); border-radius: 6px;
    touch-action: none; cursor: crosshair; display: block;
  }
  canvas:focus-visible, button:focus-visible { outline: 3px solid var(--lenet-accent, #2f6fdf); outline-offset: 2px; }
  .controls { display: flex; gap: 8px; align-items: flex-start; }
  button {
    font: inherit; padding: 4px 12px; border-radius: 4px; cursor: pointer;
    border: 1px solid var(--lenet-muted, #8a90a0); background: transparent; color: inherit;
  }
  .status { font-size: 12px; color: var(--lenet-muted, #5b6170); margin: 0; }
  .status[data-state="error"] { color: var(--lenet-error, #b3261e); }
  .readout { width: 12em; }
  .result { margin: 0 0 4px; min-height: 2.6em; font-weight: 600; }
  ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
  li { display: grid; grid-template-columns: 1.2em 1fr 3.2em; gap: 6px; align-items: center; font-variant-numeric: tabular-nums; }
  .bar { height: 10px; background: color-mix(in srgb, var(--lenet-muted, #8a90a0) 20%, transparent); border-radius: 2px; overflow: hidden; }
  .fill { display: block; height: 100%; width: 0; background: var(--lenet-bar, #8aa4d6); }
  .value { text-align: right; font-size: 12px; }
  li.top { font-weight: 700; }
  li.top .fill { background: var(--lenet-bar-top, #2f6fdf); }
  .widget.line { flex-direction: column; --_line: var(--lenet-line-height, 140px); }
  .line .pad { width: calc(var(--_line) * 4 + 2px); }
  /* 4:1, the ink canvas's own aspect, so a stroke lands where it was drawn in the copy the model reads. */
  .line canvas { width: calc(var(--_line) * 4); height: var(--_line); }
  .line .readout { width: auto; }
  .line .result { font-size: 20px; min-height: 1.4em; font-variant-numeric: tabular-nums; }
  .line ol { display: none; }
</style>
<div class="widget" data-mode="digit">
  <div class="pad">
    <canvas part="canvas" tabindex="0" role="img"
      aria-label="Drawing pad: draw one digit with a mouse, pen or finger; press Escape to clear"></canvas>
    <div class="controls">
      <button type="button" part="clear" class="clear">Clear</button>
      <p class="status" part="status" data-state="loading">Loading model…</p>
    </div>
  </div>
  <div class="readout">
    <p class="result" part="result" role="status" aria-live="polite" aria-atomic="true"></p>
    <ol class="bars" part="bars" aria-label="Probability of each digit"></ol>
  </div>
</div>`;
