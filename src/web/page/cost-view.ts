import type { Model } from '../../runtime/index.js';
import { formatCount } from './format.js';

/**
 * The model's exact cost per patch: the shared encoder, each task's adapter and head, the total.
 * A task's share says how much its own column adds on top of the encoder everybody pays for.
 */
export function renderCost(body: HTMLTableSectionElement, model: Model): void {
  const total = model.cost.total;
  const row = (
    name: string,
    classes: string,
    params: number,
    macs: number,
    cls?: string,
  ): HTMLTableRowElement => {
    const tr = document.createElement('tr');
    if (cls) tr.className = cls;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = name;
    tr.append(th);
    for (const [text, title] of [
      [classes, ''],
      [formatCount(params), `${params} parameters`],
      [formatCount(macs), `${macs} multiply-accumulates per patch`],
      [total.macs > 0 ? `${((100 * macs) / total.macs).toFixed(1)}%` : '–', ''],
    ]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (title) td.title = title;
      tr.append(td);
    }
    return tr;
  };
  body.replaceChildren(
    row('shared encoder', '', model.cost.shared.params, model.cost.shared.macs, 'shared'),
    ...model.tasks.map((t) => row(t.name, String(t.classes.length), t.params, t.macs)),
    row('total', '', total.params, total.macs, 'total'),
  );
}
