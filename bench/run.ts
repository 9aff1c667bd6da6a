// `npm run bench`: every benchmark in turn, each in its own process so one's memory and JIT state do not
// colour the next. `npm run bench -- export predict` runs a subset. Each prints medians and ratios.
import { spawnSync } from 'node:child_process';

const ALL = ['train', 'export', 'predict', 'read', 'arithmetic', 'expressions', 'server', 'web'] as const;
const chosen = process.argv.slice(2);
const unknown = chosen.filter((c) => !(ALL as readonly string[]).includes(c));
if (unknown.length) {
  console.error(`bench: unknown benchmark '${unknown.join("', '")}'; valid: ${ALL.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen.length ? chosen : ALL) {
  console.log(`\n=== bench: ${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: ${name} failed (exit ${r.status})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
