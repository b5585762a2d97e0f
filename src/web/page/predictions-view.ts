import type { ModelTaskInfo, TaskPrediction } from '../../runtime/index.js';
import { formatPercent } from './format.js';

/** How many classes each task lists. */
export const TOP_CLASSES = 3;

interface Row {
  item: HTMLLIElement;
  label: HTMLSpanElement;
  fill: HTMLSpanElement;
  value: HTMLSpanElement;
}

/**
 * One card per task with its top classes as horizontal bars. The elements are made once per model
 * and only their text and widths change per patch, so a prediction a few times a second costs little.
 * Each card carries data-top-label (the current top class) for scripts and tests.
 */
export class PredictionsView {
  private readonly rows = new Map<string, { card: HTMLElement; rows: Row[] }>();

  constructor(
    private readonly root: HTMLElement,
    tasks: ModelTaskInfo[],
  ) {
    root.replaceChildren(...tasks.map((t) => this.card(t)));
  }

  show(predictions: TaskPrediction[]): void {
    for (const p of predictions) {
      const entry = this.rows.get(p.task);
      if (!entry) continue;
      entry.card.dataset.topLabel = p.top[0]?.label ?? '';
      entry.rows.forEach((row, i) => {
        const c = p.top[i];
        row.item.hidden = c === undefined;
        if (!c) return;
        row.label.textContent = c.label;
        row.fill.style.width = formatPercent(c.probability);
        row.value.textContent = formatPercent(c.probability);
      });
    }
  }

  private card(task: ModelTaskInfo): HTMLElement {
    const card = document.createElement('article');
    card.className = 'task';
    card.dataset.task = task.name;
    const heading = document.createElement('h3');
    heading.textContent = task.name;
    heading.id = `task-${task.name.replace(/[^\w-]/g, '_')}`;
    card.setAttribute('aria-labelledby', heading.id);
    const list = document.createElement('ol');
    const rows: Row[] = [];
    for (let i = 0; i < Math.min(TOP_CLASSES, task.classes.length); i++) {
      const item = document.createElement('li');
      item.hidden = true;
      const label = Object.assign(document.createElement('span'), { className: 'label' });
      const bar = Object.assign(document.createElement('span'), { className: 'bar' });
      bar.setAttribute('aria-hidden', 'true');
      const fill = Object.assign(document.createElement('span'), { className: 'fill' });
      bar.append(fill);
      const value = Object.assign(document.createElement('span'), { className: 'value' });
      item.append(label, bar, value);
      list.append(item);
      rows.push({ item, label, fill, value });
    }
    const waiting = document.createElement('p');
    waiting.className = 'waiting';
    waiting.textContent = `${task.classes.length} classes — waiting for audio`;
    card.append(heading, list, waiting);
    this.rows.set(task.name, { card, rows });
    return card;
  }
}
