// What file names and cell values can do to the CLI's output: spreadsheet formulas in CSV cells, terminal escapes
// and line breaks in table rows, names that are not UTF-8.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { readFormatter } from '../../src/jobs/read-format.js';
import { csvCell } from '../../src/jobs/row-format.js';
import type { ReadRow } from '../../src/runtime/node/read.js';
import { runCli } from '../helpers/cli.js';
import { pngBytes, put, tempDir, testOnnxPath } from '../runtime/helpers/files.js';

const MODEL = testOnnxPath();
const mnist = await readMnist('test');
const digit = pngBytes({ width: 28, height: 28, data: mnist.images.slice(0, 784) });

test('CSV cells that a spreadsheet would run as a formula get a leading quote; numbers in numeric columns stay numbers', () => {
  for (const [cell, want] of [
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1+cmd', "'+1+cmd"],
    ['-2+3+cmd|calc', "'-2+3+cmd|calc"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['plain.png', 'plain.png'],
    ['-3', "'-3"], // a text column: '-3' is text there
  ] as const)
    assert.equal(csvCell(cell, false), want, JSON.stringify(cell));
  for (const n of ['-3', '-0.125', '-7/3', '12', '+4'])
    assert.equal(csvCell(n, true), n, `${n} in a numeric column is a value`);
  assert.equal(csvCell('-1+cmd', true), "'-1+cmd", 'a numeric column holds only numbers as they are');

  const row: ReadRow = {
    path: '=evil.png',
    text: '4-7=',
    confidence: 0.9,
    digits: [],
    error: null,
    value: { fraction: '-3', decimal: '-3' },
    decisions: [],
  };
  const f = readFormatter('csv');
  assert.equal(f.row(row), "'=evil.png,4-7=,-3,0.900000,,,\n");
});

test('table rows show escape sequences and line breaks in file names as escapes, one line per picture', async () => {
  const dir = tempDir('names');
  const nasty = 'a\u001b[2J\u001b[31mred\nsecond line\r\u202eevil.png';
  put(dir, nasty, digit);
  put(dir, 'plain.png', digit);
  for (const cmd of ['predict', 'read']) {
    const r = await runCli(cmd, dir, '--model', MODEL);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, `${cmd}: header and two rows, got ${JSON.stringify(r.stdout)}`);
    assert.ok(!/[\r\u202e]/.test(r.stdout) && !r.stdout.includes('\u001b'), cmd);
    assert.ok(r.stdout.includes('a\\e[2J\\e[31mred\\nsecond line\\r\\u202eevil.png'), `${cmd}: ${r.stdout}`);
  }
});

test('a file whose name is not UTF-8, inside a folder, is read (shown with its odd bytes escaped)', async () => {
  const dir = tempDir('latin1');
  const name = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.png')]);
  writeFileSync(Buffer.concat([Buffer.from(dir + '/'), name]), digit);
  const r = await runCli('predict', dir, '--model', MODEL, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{ path: string; digit: string | null; error: string | null }>;
  assert.equal(rows.length, 1);
  assert.equal(rows[0].path, path.join(dir, 'caf\\xe9.png'));
  assert.equal(rows[0].error, null);
  assert.equal(rows[0].digit, String(mnist.labels[0]));
  const read = await runCli('read', dir, '--model', MODEL, '--format', 'json');
  assert.equal(read.code, 0, read.stderr);
  assert.equal(JSON.parse(read.stdout)[0].text, String(mnist.labels[0]));
});
