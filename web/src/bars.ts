/** The probability bars: one row per label, the top one emphasised; the values also sit in data attributes. */

/** Replace the rows with one per label (the labels come from the model's contract). */
export function buildBars(list: HTMLOListElement, labels: string[]): void {
  list.replaceChildren(
    ...labels.map((label) => {
      const li = document.createElement('li');
      li.dataset.label = label;
      li.innerHTML =
        '<span class="label"></span><span class="bar" aria-hidden="true"><span class="fill"></span></span><span class="value"></span>';
      li.querySelector('.label')!.textContent = label;
      return li;
    }),
  );
  showProbabilities(list, null);
}

/** Show one probability per row (null: no prediction, every row empty). */
export function showProbabilities(list: HTMLOListElement, probs: number[] | null): void {
  const rows = Array.from(list.children) as HTMLElement[];
  let top = -1;
  if (probs) for (let i = 0; i < probs.length; i++) if (top < 0 || probs[i] > probs[top]) top = i;
  rows.forEach((li, i) => {
    const p = probs?.[i] ?? 0;
    (li.querySelector('.fill') as HTMLElement).style.width = `${(p * 100).toFixed(1)}%`;
    li.querySelector('.value')!.textContent = probs ? percent(p) : '–';
    li.classList.toggle('top', i === top);
    li.dataset.probability = String(p);
  });
}

/** A probability as a percentage with one decimal ("100%" rather than "100.0%"). */
export function percent(p: number): string {
  const text = (p * 100).toFixed(1);
  return `${text === '100.0' ? '100' : text}%`;
}
