/** Patent-style figures (37 CFR 1.84) and the drawn graph shared with the visualizer; no DOM, no Node. */
export { displayGraph, type DisplayGraph, type DrawnNode, type DrawnEdge, type DisplayOptions } from './display-graph';
export { layeredLayout, type Layout } from './layout';
export { numeralPlan, letter, type NumeralPlan } from './numerals';
export { topologyFigure, type FigureResult } from './topology-figure';
export { connectionSequence, pickConnection, fold, type Sequence, type SeqMessage, type Lifeline } from './sequence-data';
export { sequenceFigure } from './sequence-figure';
export { SHEET, SIGHT, NUMERAL_SIZE, LABEL_SIZE, CAP, numeralBox, segmentsCross, type Numeral } from './sheet';
