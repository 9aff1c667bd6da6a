import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

const PYTHON = '/usr/bin/python3';
let onnxAvailable: boolean | undefined;

/** True when Debian's python3-onnx can be imported with the system Python. */
export function hasPythonOnnx(): boolean {
  onnxAvailable ??= existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
  return onnxAvailable;
}

/**
 * Skip the test with a printed reason when python3-onnx is missing, except under
 * LENET_REQUIRE_SYSTEM_DEPS=1 (CI), where a missing package must fail the run instead.
 * @returns true when the caller may go on.
 */
export function requirePythonOnnx(t: TestContext): boolean {
  if (hasPythonOnnx()) return true;
  const reason = `${PYTHON} cannot import onnx (apt-get install python3-onnx)`;
  if (process.env.LENET_REQUIRE_SYSTEM_DEPS === '1')
    throw new Error(`${reason}; required because LENET_REQUIRE_SYSTEM_DEPS=1`);
  process.stdout.write(`# skipped: ${reason}\n`);
  t.skip(reason);
  return false;
}

/** Run a Python snippet with the system Python; throws with its stderr when it fails. */
export function runPython(code: string, args: string[] = []): string {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`python failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

/**
 * The official ONNX checker with full_check=True (strict shape inference) on each file.
 * @throws Error naming the file and the checker's complaint.
 */
export function checkOnnxFiles(files: string[]): void {
  runPython(
    [
      'import sys, onnx',
      'for p in sys.argv[1:]:',
      '    try:',
      '        onnx.checker.check_model(onnx.load(p), full_check=True)',
      '    except Exception as e:',
      "        sys.exit(f'{p}: {e}')",
    ].join('\n'),
    files,
  );
}
