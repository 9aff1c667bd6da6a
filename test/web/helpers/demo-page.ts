// A page on the widget's demo that records what a host page sees: every widget event, console errors,
// page errors and failed responses.
import type { BrowserContext, Page } from 'playwright-core';

/** One widget event as the host page saw it. */
export interface SeenEvent {
  type: string;
  target: string;
  detail: any;
}

/** An open demo page and what it has seen so far. */
export interface DemoPage {
  page: Page;
  errors: string[];
  events(): Promise<SeenEvent[]>;
}

/**
 * Open `url` in `context`, recording widget events and errors from the first script on.
 * @param init runs in the page before its own scripts (e.g. to take WebGPU away).
 */
export async function openDemoPage(context: BrowserContext, url: string, init?: () => void): Promise<DemoPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  // tsx compiles the tests with esbuild's keepNames, which wraps named functions in calls to a `__name`
  // helper; functions shipped to the page need that helper there too.
  await page.addInitScript('globalThis.__name = (f) => f;');
  if (init) await page.addInitScript(init);
  await page.addInitScript(() => {
    const seen: unknown[] = [];
    (window as any).__events = seen;
    for (const type of ['ready', 'error', 'prediction', 'clear']) {
      document.addEventListener(type, (e) => {
        if (!(e instanceof CustomEvent)) return;
        seen.push({ type, target: (e.target as HTMLElement).id, detail: e.detail });
      });
    }
  });
  await page.goto(url);
  return { page, errors, events: () => page.evaluate(() => (window as any).__events as SeenEvent[]) };
}
