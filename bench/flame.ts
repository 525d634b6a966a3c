/**
 * `npm run bench -- flame [--scenario=comparison] [--design=nic-forward] [--out=bench/flame-comparison.svg]
 * [--set=path=value,...]`:
 * a flame graph of one design's run of a scenario, as an SVG.
 *
 * The profile is V8's own sampling CPU profiler (node:inspector, the
 * profiler behind `node --cpu-prof`), started after the scenario is built
 * and stopped when the run ends, so it shows the simulation only. Each
 * frame is one call path; its width is the share of samples taken in it or
 * below it; frames under 0.1% of the run are folded into their parent. The
 * SVG has a <title> per frame (full name and share) for a viewer's hover.
 * Names are functions (the bundle keeps them); the top lines printed name
 * the heaviest by self time.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { hierarchy, partition, type HierarchyRectangularNode } from 'd3';
import { withDesign } from '../src/scenario/load';
import { buildSimulation } from '../src/scenario/build';
import { runSimulation } from '../src/scenario/runner';
import { isDesign } from '../src/cluster/install';
import { loadScenarioFile } from '../src/cli/files';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Frame { name: string; self: number; children: Frame[] }

const WIDTH = 1200, ROW = 16, MIN_SHARE = 0.001;

function frameName(n: ProfileNode): string {
  const f = n.callFrame;
  if (f.functionName !== '') return f.functionName;
  return f.url === '' ? '(anonymous)' : `(anonymous ${f.url.split('/').pop()}:${f.lineNumber + 1})`;
}

/** The profile as a tree of frames, children of one name merged. */
function tree(nodes: ProfileNode[]): Frame {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const build = (n: ProfileNode): Frame => {
    const kids = new Map<string, Frame>();
    for (const c of n.children ?? []) {
      const f = build(byId.get(c)!);
      const same = kids.get(f.name);
      if (same === undefined) kids.set(f.name, f);
      else merge(same, f);
    }
    return { name: frameName(n), self: n.hitCount ?? 0, children: [...kids.values()] };
  };
  return build(nodes[0]);
}

function merge(into: Frame, f: Frame): void {
  into.self += f.self;
  for (const c of f.children) {
    const same = into.children.find((x) => x.name === c.name);
    if (same === undefined) into.children.push(c);
    else merge(same, c);
  }
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A warm colour from the name, so one function keeps its colour across graphs. */
function colour(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  const r = 205 + (h & 50), g = 80 + ((h >>> 8) & 120), b = 40 + ((h >>> 16) & 40);
  return `rgb(${r},${g},${b})`;
}

export function flameSvg(root: Frame, title: string): string {
  const h = hierarchy(root, (d) => d.children).sum((d) => d.self);
  const total = h.value ?? 1;
  h.each((n) => { if (n.children) n.children = n.children.filter((c) => (c.value ?? 0) / total >= MIN_SHARE); });
  const depth = h.height + 1;
  const laid = partition<Frame>().size([WIDTH, depth * ROW]).padding(0)(h);
  const height = depth * ROW + 40;
  const rects: string[] = [];
  laid.each((n: HierarchyRectangularNode<Frame>) => {
    const w = n.x1 - n.x0;
    if (w < 0.5) return;
    const y = height - 10 - (n.depth + 1) * ROW; // the root at the bottom, callees above their callers
    const share = (100 * (n.value ?? 0)) / total;
    const label = w > 40 ? `<text x="${(n.x0 + 3).toFixed(1)}" y="${(y + 11).toFixed(1)}">${esc(n.data.name.slice(0, Math.floor(w / 7)))}</text>` : '';
    rects.push(`<g><title>${esc(n.data.name)} ${share.toFixed(2)}%</title><rect x="${n.x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 1}" fill="${colour(n.data.name)}"/>${label}</g>`);
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="6" y="18" font-size="14">${esc(title)}</text>
${rects.join('\n')}
</svg>
`;
}

/** Self time by function, heaviest first. */
function selfTimes(root: Frame): [string, number][] {
  const m = new Map<string, number>();
  const walk = (f: Frame): void => { m.set(f.name, (m.get(f.name) ?? 0) + f.self); f.children.forEach(walk); };
  walk(root);
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}

export async function flameSuite(flags: Map<string, string>): Promise<void> {
  const ref = flags.get('scenario') ?? 'comparison';
  const design = flags.get('design') ?? 'nic-forward';
  const out = flags.get('out') ?? `bench/flame-${ref.replace(/[^a-z0-9-]/gi, '_')}.svg`;
  if (!isDesign(design)) throw new Error(`--design=${design} is not a design`);
  const sets = (flags.get('set') ?? '').split(',').filter((x) => x !== '');
  const r = loadScenarioFile(ref, sets);
  if (!r.ok) throw new Error(`${ref}: ${r.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
  const d = withDesign(r.scenario, design);
  if (!d.ok) throw new Error(`${ref}: ${design} does not apply`);
  const sim = buildSimulation(d.scenario, { run: 1 });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const t0 = performance.now();
  const result = runSimulation(sim);
  const wall = (performance.now() - t0) / 1000;
  const { profile } = await session.post('Profiler.stop') as { profile: { nodes: ProfileNode[] } };
  session.disconnect();
  const root = tree(profile.nodes);
  const events = result.metrics.events ?? 0;
  writeFileSync(out, flameSvg(root, `${ref} under ${design}: ${(events / 1e6).toFixed(1)} M events in ${wall.toFixed(1)} s (profiled), netsim flame graph`));
  const tops = selfTimes(root);
  const total = tops.reduce((a, [, v]) => a + v, 0);
  console.log(`# flame ${ref} ${design}: ${(events / 1e6).toFixed(1)} M events, ${wall.toFixed(2)} s profiled; wrote ${out}`);
  for (const [name, v] of tops.slice(0, 15)) console.log(`#   ${((100 * v) / total).toFixed(1).padStart(5)}% self  ${name}`);
}
