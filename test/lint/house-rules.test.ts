// The house's import rules hold: each fixture is linted as if it stood at the path its first line names, and must
// break exactly the rule its second line names (or none).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixtures = path.join(import.meta.dirname, 'fixtures');
const eslint = new ESLint({ cwd: root });

for (const name of readdirSync(fixtures).sort()) {
  const text = readFileSync(path.join(fixtures, name), 'utf8');
  const as = /^\/\/ as: (\S+)/m.exec(text)?.[1];
  const expect = /^\/\/ expect: (\S+)/m.exec(text)?.[1];
  test(`lint fixture ${name}: ${expect === 'nothing' ? 'passes' : `breaks ${expect}`} as ${as}`, async () => {
    assert.ok(as && expect, `${name} must start with '// as: PATH' and '// expect: RULE'`);
    const [result] = await eslint.lintText(text, { filePath: path.join(root, as) });
    const rules = result.messages.map((m) => m.ruleId ?? `parse error: ${m.message}`);
    if (expect === 'nothing') assert.deepEqual(rules, []);
    else assert.deepEqual([...new Set(rules)], [expect], result.messages.map((m) => m.message).join('\n'));
  });
}
