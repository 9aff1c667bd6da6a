// The Node API in one script: `npm run build`, then `node examples/api.mjs` (from a clone), or copy it into a
// project that installed lenet-onnx. Prints one line per step.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadModel, predictFolder, readFolder, startServer, PictureFailedError } from 'lenet-onnx';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

// Load the package's default model once and ask it about single pictures: bytes, a path, grey pixels.
const model = await loadModel();
const seven = await model.predict(await readFile(here('mnist-7.png')));
console.log(`mnist-7.png: ${seven.digit} (${(seven.probability * 100).toFixed(1)}%)`);
const photo = await model.predict(here('photo-3.jpg'));
console.log(`photo-3.jpg: ${photo.digit}`);
try {
  await model.predict({ width: 28, height: 28, data: new Uint8Array(28 * 28).fill(255) });
} catch (err) {
  if (!(err instanceof PictureFailedError)) throw err;
  console.log(`a blank picture: ${err.message}`);
}
const line = await model.read(here('scan-number-40033.png'));
console.log(`scan-number-40033.png reads ${line.text} (confidence ${line.confidence.toFixed(3)})`);
await model.close();

// A folder, streamed row by row in name order (bad files are rows with an error, not exceptions).
for await (const row of predictFolder(here('.'), { workers: 1 })) {
  console.log(`predict ${row.path.split(/[\\/]/).pop()}: ${row.error ?? row.digit}`);
}
for await (const row of readFolder([here('photo-number-3286.jpg')], { workers: 1 })) {
  console.log(`read ${row.path.split(/[\\/]/).pop()}: ${row.error ?? row.text}`);
}

// The inference server, on a free port; the default model answers under its one name.
const server = await startServer({ port: 0, web: false });
const meta = await (await fetch(`${server.url}v2/models/lenet5-e20`)).json();
console.log(`serving ${meta.name} at ${server.url}`);
await server.close();
