/**
 * The scenario editor: the scenario's JSON in a plain text area, checked by
 * the scenario layer (in the worker) as you type; each problem is marked in
 * the gutter and written inline at the end of its line, in the loader's own
 * words (what was found, where, what would be valid), and listed below,
 * where a click moves the caret to it. "Run" loads the text as it is.
 */
import type { ScenarioProblem } from '../../src/scenario/errors';
import { formatPath } from '../../src/scenario/errors';
import { clear, h } from '../lib/dom';
import type { EngineClient } from '../model/engine-client';
import type { Store } from '../model/store';

const LINE = 18;

export class Editor {
  readonly el: HTMLElement;
  private readonly area: HTMLTextAreaElement;
  private readonly gutter: HTMLElement;
  private readonly overlay: HTMLElement;
  /** Problem messages, right-aligned on their lines in the visible box (they follow vertical scrolling only). */
  private readonly errors: HTMLElement;
  private readonly list: HTMLElement;
  private timer = 0;
  private req = 0;

  constructor(private readonly store: Store, private readonly engine: () => EngineClient, private readonly run: () => void) {
    this.area = h('textarea', { class: 'code', spellcheck: 'false', wrap: 'off', 'data-testid': 'editor', 'aria-label': 'scenario JSON' });
    this.gutter = h('div', { class: 'gutter' });
    this.overlay = h('div', { class: 'code-overlay' });
    this.errors = h('div', { class: 'code-errors' });
    this.list = h('div', { class: 'problems', 'data-testid': 'problems' });
    this.area.addEventListener('input', () => {
      this.store.update((d) => { d.editorText = this.area.value; });
      this.schedule();
    });
    this.area.addEventListener('scroll', () => this.sync());
    this.el = h('div', { class: 'editor' },
      h('div', { class: 'row-buttons' }, h('button', { 'data-testid': 'editor-run', onclick: () => this.run() }, 'Run this scenario'),
        h('span', { class: 'muted' }, 'JSON, checked as you type; problems show at their line.')),
      h('div', { class: 'code-wrap' }, this.gutter, h('div', { class: 'code-box' }, this.overlay, this.area, this.errors)), this.list);
    store.subscribe((s, prev) => {
      if (s.editorText !== prev.editorText && s.editorText !== this.area.value) {
        this.area.value = s.editorText;
        this.schedule();
      }
      if (s.problems !== prev.problems || s.editorText !== prev.editorText) this.paint(s.problems);
    });
  }

  /** Check the text soon (debounced), in the worker. */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      const id = ++this.req;
      const text = this.area.value;
      this.engine().api.validate(text, this.store.state.editorFile).then((problems) => {
        if (id === this.req) this.store.update((d) => { d.problems = problems as typeof d.problems; });
      }).catch(() => { /* a terminated worker: the next edit checks again */ });
    }, 250);
  }

  private sync(): void {
    const y = this.area.scrollTop, x = this.area.scrollLeft;
    this.gutter.style.transform = `translateY(${-y}px)`;
    this.overlay.style.transform = `translate(${-x}px, ${-y}px)`;
    this.errors.style.transform = `translateY(${-y}px)`;
  }

  private paint(problems: readonly ScenarioProblem[]): void {
    const lines = this.area.value.split('\n');
    const byLine = new Map<number, ScenarioProblem[]>();
    for (const p of problems) if (p.line !== undefined) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
    clear(this.gutter);
    clear(this.overlay);
    clear(this.errors);
    lines.forEach((text, i) => {
      const n = i + 1;
      const ps = byLine.get(n);
      this.gutter.append(h('div', { class: ps !== undefined ? 'ln error' : 'ln', style: `height:${LINE}px`, title: ps?.map((p) => p.message).join('\n') }, ps !== undefined ? `⚠ ${n}` : String(n)));
      const row = h('div', { class: ps !== undefined ? 'ol error' : 'ol', style: `height:${LINE}px`, 'data-line': n });
      if (ps !== undefined) {
        const msg = ps.map((p) => `${formatPath(p.path)}: ${p.message}`).join('; ');
        row.append(h('span', { class: 'ghost' }, text));
        this.errors.append(h('div', { class: 'inline-error', 'data-testid': `inline-error-${n}`, style: `top:${i * LINE}px`, title: msg }, `◀ ${msg}`));
      }
      this.overlay.append(row);
    });
    clear(this.list);
    if (problems.length === 0) {
      this.list.append(h('p', { class: 'ok' }, this.area.value.trim() === '' ? '' : '✓ the scenario is valid'));
      return;
    }
    this.list.append(h('p', { class: 'error' }, `${problems.length} problem${problems.length > 1 ? 's' : ''}:`));
    for (const p of problems) {
      const where = p.line !== undefined ? `line ${p.line}, column ${p.column ?? 1}` : 'the file';
      const item = h('div', { class: 'problem', 'data-line': p.line ?? '' }, h('b', {}, `${where}: `), `${formatPath(p.path)}: ${p.message}`);
      item.addEventListener('click', () => this.goTo(p.line ?? 1, p.column ?? 1));
      this.list.append(item);
    }
    this.sync();
  }

  /** Put the caret at a line and column, scrolled into view. */
  goTo(line: number, column: number): void {
    const lines = this.area.value.split('\n');
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += column - 1;
    this.area.focus();
    this.area.setSelectionRange(pos, pos);
    this.area.scrollTop = Math.max(0, (line - 5) * LINE);
    this.sync();
  }
}
