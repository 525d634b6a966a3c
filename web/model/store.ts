/**
 * The page's UI state, one immer value: what is loaded, what is selected,
 * the filters, the playback settings and which panels show what. Views
 * subscribe and re-render what they show when it changes; `update` takes an
 * immer recipe, so every change is one new frozen state.
 */
import { produce, type Draft } from 'immer';
import type { ScenarioProblem } from '../../src/scenario/errors';
import type { Source } from '../worker/protocol';

export type Selection = { kind: 'packet'; pid: number; frame: number } | { kind: 'node'; node: number } | null;

export interface UiState {
  source: Source | null;
  /** The text in the editor, and the problems the scenario layer found in it. */
  editorText: string;
  editorFile: string;
  problems: ScenarioProblem[];
  design: string | null;
  message: string;
  playing: boolean;
  /** Time mode: simulated ns per wall second; events mode: events per wall second. */
  speed: number;
  mode: 'time' | 'events' | 'max';
  eventsPerSecond: number;
  hiddenRoles: number[];
  hiddenNodes: number[];
  selection: Selection;
  conn: number | null;
  expanded: string[];
  leftTab: 'events' | 'claims' | 'editor';
  bottomTab: 'measures' | 'compare' | 'figures';
  claim: number | null;
  claimStep: number;
  /** Nodes (map indexes) a claim step highlights, and its words. */
  callout: { nodes: number[]; text: string } | null;
  eventBudget: number;
  traceBudget: number;
}

export const INITIAL: UiState = {
  source: null, editorText: '', editorFile: 'scenario.json', problems: [], design: null, message: '',
  playing: false, speed: 1e6, mode: 'time', eventsPerSecond: 60, hiddenRoles: [], hiddenNodes: [], selection: null, conn: null,
  expanded: [], leftTab: 'claims', bottomTab: 'measures', claim: null, claimStep: 0, callout: null,
  eventBudget: 50_000_000, traceBudget: 6_000_000,
};

export class Store {
  private s: UiState = INITIAL;
  private readonly subs = new Set<(s: UiState, prev: UiState) => void>();

  get state(): UiState {
    return this.s;
  }

  update(recipe: (d: Draft<UiState>) => void): void {
    const prev = this.s;
    this.s = produce(prev, recipe);
    if (this.s !== prev) for (const fn of this.subs) fn(this.s, prev);
  }

  subscribe(fn: (s: UiState, prev: UiState) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
}
