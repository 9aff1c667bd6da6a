import { defaultModelUrl } from './assets.js';
import { buildBars, percent, showProbabilities } from './bars.js';
import { LatestOnly } from './latest-only.js';
import { BACKEND_CHOICES, loadModel, type BackendChoice, type BackendInUse, type LoadedModel } from './model-loader.js';
import { drawReading } from './line-overlay.js';
import {
  PAD_MODES,
  readGrayLine,
  readingText,
  toRow,
  type LinePrediction,
  type LineRefusal,
  type PadMode,
  type ReadRowLike,
} from './line-reading.js';
import {
  answerLabels,
  modelClassifier,
  OPERATORS,
  predictInput,
  preprocess,
  rgbaToGray,
  type GrayImage,
  type InputContract,
} from './runtime.js';
import { pictureFilePixels } from './picture-file.js';
import { drawLastSegment, drawStrokes, type Point } from './strokes.js';
import { TEMPLATE } from './template.js';

/** Load state shown by the widget and reflected in its `state` attribute. */
export type PadState = 'loading' | 'ready' | 'error';

/** Detail of the `prediction` event, and what {@link LenetDigitPad.predictImage} resolves to when there is ink. */
export interface Prediction {
  ok: true;
  /** Index of the most probable class (for MNIST models, the digit itself). */
  digit: number;
  /** Its label as the model names it. */
  label: string;
  /** One probability per label, in the model's label order. */
  probabilities: number[];
  backend: BackendInUse;
  /** Preprocessing plus inference, in milliseconds. */
  milliseconds: number;
}

/** What a prediction request gives when the picture holds no digit: the widget says so and does not guess. */
export interface NoInk {
  ok: false;
  reason: 'no-ink';
  message: string;
}

/** Detail of the `ready` event. */
export interface ReadyDetail {
  model: string;
  backend: BackendInUse;
  fallbackReason: string | null;
  labels: string[];
}

/** Detail of the `error` event. */
export interface ErrorDetail {
  message: string;
}

/** The events a pad dispatches (they bubble and cross shadow roots), with their detail types. */
export interface LenetDigitPadEventMap {
  ready: CustomEvent<ReadyDetail>;
  error: CustomEvent<ErrorDetail>;
  prediction: CustomEvent<Prediction | LinePrediction>;
  clear: CustomEvent<undefined>;
}

// Side of the hidden canvas the model reads from: independent of the on-screen size, so a drawing gives the
// same prediction at any pad size, and 4x MNIST's side so resampling down to 28 stays anti-aliased.
const INK_SIDE = 112;
// Number and expression pads are a line this many times as wide as tall; the ink canvas keeps the digit
// pad's height so each character written to the pad's height gets the same resolution as a lone digit.
const LINE_ASPECT = 4;

const PAD_LABELS: Record<PadMode, string> = {
  digit: 'Drawing pad: draw one digit with a mouse, pen or finger; press Escape to clear',
  number: 'Writing pad: write a number of several digits with a mouse, pen or finger; press Escape to clear',
  expression: 'Writing pad: write a sum such as 12+7= with a mouse, pen or finger; press Escape to clear',
};

export type { LinePrediction, LineRefusal, PadMode, ReadRowLike };

/**
 * `<lenet-digit-pad model="URL" backend="auto|webgpu|wasm" mode="digit|number|expression" loading="eager|lazy">`:
 * draw a digit (or write a number, or a sum), watch the network read it.
 * See docs/widget.md for attributes, events and the JS API.
 */
export class LenetDigitPad extends HTMLElement {
  static readonly observedAttributes = ['model', 'backend', 'mode'];

  // Typed listeners for the pad's own events; every other event as on any element.
  override addEventListener<K extends keyof LenetDigitPadEventMap>(
    type: K,
    listener: (this: LenetDigitPad, ev: LenetDigitPadEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: LenetDigitPad, ev: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  private readonly root: ShadowRoot;
  private readonly canvas: HTMLCanvasElement;
  private readonly ink: HTMLCanvasElement;
  private readonly statusEl: HTMLElement;
  private readonly resultEl: HTMLElement;
  private readonly barsEl: HTMLOListElement;
  private readonly live: LatestOnly;
  private strokes: Point[][] = [];
  private activePointer: number | null = null;
  private announceNext = false;
  private loading: Promise<LoadedModel> | null = null;
  private loaded: LoadedModel | null = null;
  private loadToken = 0;
  /** Bumped by clear(): a prediction that started before it must not repaint the cleared widget. */
  private generation = 0;
  private stateValue: PadState = 'loading';
  private resizeObserver: ResizeObserver | null = null;
  private visibility: IntersectionObserver | null = null;
  private modeValue: PadMode = 'digit';
  private readonly widgetEl: HTMLElement;
  /** The last line reading of the drawing, drawn over the ink until the next one (line modes only). */
  private reading: LinePrediction | null = null;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.innerHTML = TEMPLATE;
    this.canvas = this.root.querySelector('canvas')!;
    this.statusEl = this.root.querySelector('.status')!;
    this.resultEl = this.root.querySelector('.result')!;
    this.barsEl = this.root.querySelector('ol')!;
    this.widgetEl = this.root.querySelector('.widget')!;
    this.ink = document.createElement('canvas');
    this.ink.width = this.ink.height = INK_SIDE;
    this.live = new LatestOnly(() => this.predictDrawing());
    this.root.querySelector('.clear')!.addEventListener('click', () => this.clear());
    this.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.clear();
      }
    });
    this.canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onPointerEnd(e));
    this.canvas.addEventListener('pointercancel', (e) => this.onPointerEnd(e));
    this.canvas.addEventListener('lostpointercapture', (e) => this.onPointerEnd(e));
    this.clearInk();
  }

  connectedCallback(): void {
    // The model's download starts before the pad's own layout work, which forces a style and layout pass.
    if (!this.loading) this.loadWhenWanted();
    // The observer's first call, after the page's next layout, sizes the canvas: measuring it here would force
    // a layout of the page for every pad as it is defined.
    this.resizeObserver ??= new ResizeObserver(() => this.fitCanvas());
    this.resizeObserver.observe(this.canvas);
  }

  private loadWhenWanted(): void {
    if (this.getAttribute('loading') !== 'lazy' || typeof IntersectionObserver !== 'function') {
      this.startLoad();
      return;
    }
    // A pad further down the page costs nothing (no model download) until the visitor scrolls to it.
    this.setState('loading', 'The model loads when the pad comes into view');
    this.visibility ??= new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !this.loading) this.startLoad();
    });
    this.visibility.observe(this);
  }

  disconnectedCallback(): void {
    this.resizeObserver?.disconnect();
    this.visibility?.disconnect();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue) return;
    if (name === 'mode') {
      const url = this.modelUrl();
      this.applyMode();
      // Only a pad on its mode's default model changes model with the mode.
      if (this.isConnected && this.loading && url !== this.modelUrl()) this.startLoad();
      else if (this.loaded) this.setState('ready', this.readyText(this.loaded));
      return;
    }
    if (this.isConnected && this.loading) this.startLoad();
  }

  /** `digit` (one digit, the default), `number` (a line of digits) or `expression` (a sum such as `12+7=`). */
  get mode(): PadMode {
    return this.modeValue;
  }

  /** `loading`, `ready` or `error`. */
  get state(): PadState {
    return this.stateValue;
  }

  /** The backend running the model once ready (`webgpu` or `wasm`), else null. */
  get backendInUse(): BackendInUse | null {
    return this.loaded?.backend ?? null;
  }

  /** Why WebGPU is not in use although `auto`/`webgpu` allowed it, once ready; null otherwise. */
  get fallbackReason(): string | null {
    return this.loaded?.fallbackReason ?? null;
  }

  /** The model's input contract (size, labels, ...) as read from the model file, once ready. */
  get contract(): InputContract | null {
    return this.loaded?.contract ?? null;
  }

  /** Resolves when the model is loaded; rejects with the load error. */
  whenReady(): Promise<ReadyDetail> {
    if (!this.loading) this.startLoad();
    return this.loading!.then((m) => readyDetail(m));
  }

  /** Wipe the drawing, the bars and the announced result. */
  clear(): void {
    this.generation++;
    this.strokes = [];
    this.activePointer = null;
    this.reading = null;
    this.resultEl.removeAttribute('aria-busy');
    this.clearInk();
    this.redrawVisible();
    this.showProbabilities(null);
    this.resultEl.textContent = this.loaded ? 'Cleared' : '';
    this.dispatchEvent(new CustomEvent('clear', { bubbles: true, composed: true }));
  }

  /**
   * Predict what is drawn on the pad now: one digit in `digit` mode; in `number` and `expression` modes the
   * whole line (a {@link LinePrediction}, or a {@link LineRefusal} saying why nothing could be read).
   */
  async predict(): Promise<Prediction | NoInk | LinePrediction | LineRefusal> {
    if (this.modeValue !== 'digit') return this.readDrawing(true);
    const ctx = this.ink.getContext('2d', { willReadFrequently: true })!;
    const rgba = ctx.getImageData(0, 0, INK_SIDE, INK_SIDE);
    return this.classify(rgbaToGray(rgba.data, rgba.width, rgba.height, 4), true);
  }

  /**
   * Read the line of handwriting in a picture given by the host (any size; RGBA like a canvas's ImageData, or a
   * picture file as a Blob, decoded by the browser and turned upright by its EXIF orientation)
   * exactly as `lenet-onnx read` does, with the same shared reader, and resolve to the fields of a
   * `read --format json` row with `path: null`: `{ path, text, confidence, digits: [{ digit, probability,
   * box, edge }], error }`, boxes in the picture's pixels. In `expression` mode the text has been through
   * the reader rules and the row also carries `value` or `expression_error`. The pad's drawing and display
   * are left alone: the picture is not what the visitor drew.
   * @throws TypeError when `picture` is neither an ImageData-like object nor a Blob; rejects with the load error,
   *   or the browser's when it cannot decode the file.
   */
  async readImage(
    picture: ImageData | { width: number; height: number; data: Uint8ClampedArray | Uint8Array } | Blob,
  ): Promise<ReadRowLike> {
    const image = picture instanceof Blob ? await pictureFilePixels(picture) : picture;
    if (!image || !Number.isInteger(image.width) || !Number.isInteger(image.height) || !image.data) {
      throw new TypeError(
        'readImage: expected an ImageData, {width, height, data} with RGBA bytes, or a picture file (Blob)',
      );
    }
    const gray = rgbaToGray(image.data, image.width, image.height, 4);
    const model = await this.loadingOrThrow();
    return toRow(
      await readGrayLine(
        gray,
        model.contract,
        this.modeValue === 'expression' ? 'expression' : 'number',
        modelClassifier(model),
      ),
    );
  }

  /**
   * Predict a picture given by the host (any size; RGBA like a canvas's ImageData), through the same
   * preprocessing as the pad. Shows the result in the widget and fires `prediction`.
   */
  async predictImage(
    image: ImageData | { width: number; height: number; data: Uint8ClampedArray | Uint8Array },
  ): Promise<Prediction | NoInk> {
    if (!image || !Number.isInteger(image.width) || !Number.isInteger(image.height) || !image.data) {
      throw new TypeError('predictImage: expected an ImageData or {width, height, data} with RGBA bytes');
    }
    return this.classify(rgbaToGray(image.data, image.width, image.height, 4), true);
  }

  private modelUrl(): string {
    // Expressions need a model that knows the operators; the package ships one beside the digit model.
    const fallback = defaultModelUrl(this.modeValue === 'expression');
    return new URL(this.getAttribute('model') || fallback, document.baseURI).href;
  }

  /** The status line once ready, with what the host asked for that could not be honoured. */
  private readyText(m: LoadedModel): string {
    const asked = this.getAttribute('backend');
    const badBackend =
      asked !== null && asked !== parseBackend(asked)
        ? `; backend '${asked}' is unknown, used auto (valid: ${BACKEND_CHOICES.join(', ')})`
        : '';
    const askedMode = this.getAttribute('mode');
    const badMode =
      askedMode !== null && askedMode !== this.modeValue
        ? `; mode '${askedMode}' is unknown, used digit (valid: ${PAD_MODES.join(', ')})`
        : '';
    const noOperators =
      this.modeValue === 'expression' && !OPERATORS.some((op) => m.contract.labels.includes(op))
        ? '; this model knows no operators, so it reads numbers only'
        : '';
    const note = m.fallbackReason ? ` (${m.fallbackReason}; using WASM)` : '';
    return `Ready · ${m.backend.toUpperCase()}${note}${badBackend}${badMode}${noOperators}`;
  }

  /** Lay the pad out for the `mode` attribute and start a fresh drawing: strokes of one mode mean nothing in another. */
  private applyMode(): void {
    const asked = this.getAttribute('mode');
    this.modeValue = (PAD_MODES as readonly string[]).includes(asked ?? '') ? (asked as PadMode) : 'digit';
    const line = this.modeValue !== 'digit';
    this.widgetEl.dataset.mode = this.modeValue;
    this.widgetEl.classList.toggle('line', line);
    this.canvas.setAttribute('aria-label', PAD_LABELS[this.modeValue]);
    this.barsEl.hidden = line;
    this.ink.width = line ? INK_SIDE * LINE_ASPECT : INK_SIDE;
    this.ink.height = INK_SIDE;
    this.generation++;
    this.strokes = [];
    this.activePointer = null;
    this.reading = null;
    this.clearInk();
    this.fitCanvas();
    this.redrawVisible();
    this.showProbabilities(null);
    this.resultEl.textContent = '';
  }

  private startLoad(): void {
    const token = ++this.loadToken;
    const url = this.modelUrl();
    this.visibility?.disconnect();
    this.loaded = null;
    this.setState('loading', 'Loading model…');
    this.showProbabilities(null);
    const p = loadModel(url, parseBackend(this.getAttribute('backend')));
    this.loading = p;
    p.then(
      (m) => {
        if (token !== this.loadToken) return;
        this.loaded = m;
        this.buildBars(m.contract.labels);
        this.setState('ready', this.readyText(m));
        this.dispatchEvent(
          new CustomEvent<ReadyDetail>('ready', { bubbles: true, composed: true, detail: readyDetail(m) }),
        );
        if (this.strokes.length) this.live.request();
      },
      (err: unknown) => {
        if (token !== this.loadToken) return;
        const message = err instanceof Error ? err.message : String(err);
        this.setState('error', `Error: ${message}`);
        this.dispatchEvent(
          new CustomEvent<ErrorDetail>('error', { bubbles: true, composed: true, detail: { message } }),
        );
      },
    );
    // The rejection is reported through the error event and the status line; keep it off the console.
    p.catch(() => undefined);
  }

  private async classify(gray: GrayImage, announce: boolean): Promise<Prediction | NoInk> {
    const model = await this.loadingOrThrow();
    const generation = this.generation;
    const t0 = performance.now();
    const pre = preprocess(gray, model.contract);
    if (!pre.ok) {
      this.showNoInk(pre.message);
      return { ok: false, reason: 'no-ink', message: pre.message };
    }
    const probs = await predictInput(model, pre.input);
    const milliseconds = performance.now() - t0;
    // The "not one character" output (the contract's reject_label) is never the answer.
    const answer = answerLabels(model.contract);
    let digit = answer.indexOf(true);
    for (let i = 0; i < probs.length; i++) if (answer[i] && probs[i] > probs[digit]) digit = i;
    const result: Prediction = {
      ok: true,
      digit,
      label: model.contract.labels[digit] ?? String(digit),
      probabilities: Array.from(probs),
      backend: model.backend,
      milliseconds,
    };
    if (generation !== this.generation) return result;
    this.showProbabilities(result.probabilities);
    if (announce) this.resultEl.textContent = `Looks like ${result.label} (${percent(probs[digit])})`;
    this.dispatchEvent(new CustomEvent<Prediction>('prediction', { bubbles: true, composed: true, detail: result }));
    return result;
  }

  private loadingOrThrow(): Promise<LoadedModel> {
    if (!this.loading) this.startLoad();
    return this.loading!;
  }

  /**
   * Read the line drawn on the pad, draw the reading over the ink, show it and fire `prediction`. The
   * result line follows the pen live; screen readers hear it when the stroke ends (aria-busy meanwhile).
   */
  private async readDrawing(announce: boolean): Promise<LinePrediction | LineRefusal> {
    const model = await this.loadingOrThrow();
    const generation = this.generation;
    const mode = this.modeValue === 'expression' ? 'expression' : 'number';
    const t0 = performance.now();
    const ctx = this.ink.getContext('2d', { willReadFrequently: true })!;
    const rgba = ctx.getImageData(0, 0, this.ink.width, this.ink.height);
    const r = await readGrayLine(
      rgbaToGray(rgba.data, rgba.width, rgba.height, 4),
      model.contract,
      mode,
      modelClassifier(model),
    );
    if (!r.ok) {
      if (generation === this.generation) {
        this.reading = null;
        this.redrawVisible();
        this.resultEl.textContent = `Nothing to read: ${r.message}`;
        if (announce) this.resultEl.removeAttribute('aria-busy');
      }
      return r;
    }
    const result: LinePrediction = { ...r, backend: model.backend, milliseconds: performance.now() - t0 };
    if (generation !== this.generation) return result;
    this.reading = result;
    this.redrawVisible();
    this.resultEl.textContent = readingText(result, percent);
    if (announce) this.resultEl.removeAttribute('aria-busy');
    this.dispatchEvent(
      new CustomEvent<LinePrediction>('prediction', { bubbles: true, composed: true, detail: result }),
    );
    return result;
  }

  /** The live-prediction task: the pad's current drawing, silent unless a stroke has just ended. */
  private async predictDrawing(): Promise<void> {
    if (this.stateValue !== 'ready') return;
    const announce = this.announceNext;
    this.announceNext = false;
    if (this.strokes.length === 0) return;
    if (this.modeValue !== 'digit') {
      await this.readDrawing(announce);
      return;
    }
    const ctx = this.ink.getContext('2d', { willReadFrequently: true })!;
    const rgba = ctx.getImageData(0, 0, INK_SIDE, INK_SIDE);
    await this.classify(rgbaToGray(rgba.data, rgba.width, rgba.height, 4), announce);
  }

  private onPointerDown(e: PointerEvent): void {
    if (this.activePointer !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.canvas.focus({ preventScroll: true });
    this.canvas.setPointerCapture(e.pointerId);
    this.activePointer = e.pointerId;
    if (!this.loading) this.startLoad();
    if (this.modeValue !== 'digit') this.resultEl.setAttribute('aria-busy', 'true');
    this.strokes.push([this.toPoint(e)]);
    this.drawNewest();
    this.live.request();
  }

  private onPointerMove(e: PointerEvent): void {
    if (e.pointerId !== this.activePointer) return;
    const stroke = this.strokes[this.strokes.length - 1];
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) {
      stroke.push(this.toPoint(ev));
      this.drawNewest();
    }
    this.live.request();
  }

  private onPointerEnd(e: PointerEvent): void {
    if (e.pointerId !== this.activePointer) return;
    this.activePointer = null;
    this.announceNext = true;
    this.live.request();
  }

  /** Canvas-relative position; a captured pointer may leave the canvas, and its ink is simply clipped. */
  private toPoint(e: PointerEvent): Point {
    // Relative to the drawing surface: inside the border, which the bounding rectangle includes.
    const r = this.canvas.getBoundingClientRect();
    const c = this.canvas;
    return {
      x: (e.clientX - r.left - c.clientLeft) / Math.max(1, c.clientWidth),
      y: (e.clientY - r.top - c.clientTop) / Math.max(1, c.clientHeight),
    };
  }

  private drawNewest(): void {
    const stroke = this.strokes[this.strokes.length - 1];
    const inkCtx = this.ink.getContext('2d', { willReadFrequently: true })!;
    // The model's copy: white ink on black, like MNIST.
    drawLastSegment(inkCtx, stroke, this.ink.width, this.ink.height, '#fff');
    const ctx = this.canvas.getContext('2d')!;
    drawLastSegment(ctx, stroke, this.canvas.width, this.canvas.height, this.inkColour());
  }

  private clearInk(): void {
    const ctx = this.ink.getContext('2d', { willReadFrequently: true })!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.ink.width, this.ink.height);
  }

  private fitCanvas(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (w === this.canvas.width && h === this.canvas.height) return;
    this.canvas.width = w;
    this.canvas.height = h;
    this.redrawVisible();
  }

  private redrawVisible(): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    drawStrokes(ctx, this.strokes, this.canvas.width, this.canvas.height, this.inkColour());
    if (this.reading) {
      const css = getComputedStyle(this);
      const prop = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
      drawReading(ctx, this.reading.digits, this.reading.size, this.canvas.width, this.canvas.height, {
        accent: prop('--lenet-accent', '#2f6fdf'),
        error: prop('--lenet-error', '#b3261e'),
        tagText: prop('--lenet-paper', '#fdfdf8'),
      });
    }
  }

  private inkColour(): string {
    return getComputedStyle(this).getPropertyValue('--lenet-ink').trim() || '#1d2330';
  }

  private setState(state: PadState, text: string): void {
    this.stateValue = state;
    this.setAttribute('state', state);
    this.statusEl.dataset.state = state;
    this.statusEl.textContent = text;
    if (state === 'ready' && this.loaded) this.setAttribute('backend-in-use', this.loaded.backend);
    else this.removeAttribute('backend-in-use');
  }

  private buildBars(labels: string[]): void {
    buildBars(this.barsEl, labels);
  }

  private showProbabilities(probs: number[] | null): void {
    showProbabilities(this.barsEl, probs);
  }

  private showNoInk(message: string): void {
    this.showProbabilities(null);
    this.resultEl.textContent = `No digit to read: ${message}`;
  }
}

function parseBackend(value: string | null): BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value ?? '') ? (value as BackendChoice) : 'auto';
}

function readyDetail(m: LoadedModel): ReadyDetail {
  return { model: m.source, backend: m.backend, fallbackReason: m.fallbackReason, labels: [...m.contract.labels] };
}
