/**
 * The confusion matrix as a standalone SVG: one cell per (true, predicted) pair, shaded by the share of the
 * true class, with the count written in it. Plain text, so it diffs and renders anywhere.
 */
export function confusionSvg(confusion: number[][], labels: string[], title: string): string {
  const k = labels.length;
  const cell = 44,
    left = 70,
    top = 70,
    size = left + k * cell + 20;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${top + k * cell + 40}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left + (k * cell) / 2}" y="${top - 30}" text-anchor="middle">predicted</text>`,
    `<text transform="translate(18 ${top + (k * cell) / 2}) rotate(-90)" text-anchor="middle">true</text>`,
  ];
  for (let i = 0; i < k; i++) {
    const rowTotal = confusion[i].reduce((a, b) => a + b, 0) || 1;
    parts.push(
      `<text x="${left - 10}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(labels[i])}</text>`,
    );
    parts.push(`<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle">${esc(labels[i])}</text>`);
    for (let j = 0; j < k; j++) {
      const v = confusion[i][j];
      const share = v / rowTotal;
      // diagonal in blue, errors in red; the shade follows the share of the true class (errors boosted to be visible)
      const strength = i === j ? share : Math.min(1, share * 10);
      const [r, g, b] = i === j ? [33, 102, 172] : [202, 0, 32];
      const mix = (ch: number) => Math.round(255 - (255 - ch) * strength);
      const x = left + j * cell,
        y = top + i * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${mix(r)},${mix(g)},${mix(b)})" stroke="#ddd"/>`,
      );
      if (v > 0)
        parts.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${strength > 0.55 ? 'white' : 'black'}">${v}</text>`,
        );
    }
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
