import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium; the browser tests never download a browser of their own. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why browser tests cannot run here, or null when they can. With LENET_REQUIRE_SYSTEM_DEPS=1 (CI) a missing
 * browser is a failure, not a skip.
 */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} not found (apt-get install chromium)`;
  if (process.env.LENET_REQUIRE_SYSTEM_DEPS === '1')
    throw new Error(`${reason}; LENET_REQUIRE_SYSTEM_DEPS=1 requires it`);
  process.stdout.write(`# skipping browser tests: ${reason}\n`);
  return reason;
}

const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];
/** Chromium's software WebGPU (SwiftShader on Vulkan): a real WebGPU adapter on a machine without a GPU. */
const SOFTWARE_WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
];

/**
 * A headless Chromium with a fresh profile that is deleted on close. By default the GPU is off (no WebGPU
 * adapter, the WASM path); `softwareWebgpu` grants a software WebGPU adapter instead.
 */
export async function launchBrowser(
  o: { softwareWebgpu?: boolean } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'lenet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 900 },
    // A touch-capable page, so tests can draw with a finger as well as a mouse.
    hasTouch: true,
    args: [...COMMON_ARGS, ...(o.softwareWebgpu ? SOFTWARE_WEBGPU_ARGS : ['--disable-gpu'])],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
