// Part of `npm test` (`npm run deps`), after dependency-cruiser's per-module rules: the two house rules
// that look at more than one import at a time.
//  1. No source file is over 350 lines: a module that long does more than one thing.
//  2. No cycle between folders at run time: when folder A imports from folder B, nothing in B (or in a
//     folder B reaches) imports from A. Imports of types only are erased when the Worker is built, so they
//     are not counted: the object classes and `durable-objects/bindings.ts` name each other as types.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { cruise } from "dependency-cruiser";

const MAX_LINES = 350;
const ROOTS = ["src", "durable-objects"];

const { output } = await cruise(ROOTS, {
  tsConfig: { fileName: "tsconfig.json" },
  tsPreCompilationDeps: true,
  doNotFollow: { path: "node_modules" },
  exclude: { path: "^(test|examples|bench)/" },
});
const ours = (path) => ROOTS.some((root) => path.startsWith(`${root}/`));
const modules = output.modules.filter((m) => ours(m.source));

const problems = [];
for (const { source } of modules) {
  const lines = readFileSync(source, "utf8").split("\n").length - 1;
  if (lines > MAX_LINES) problems.push(`${source}: ${lines} lines (at most ${MAX_LINES})`);
}

/** folder → folder → one import that makes the edge, for the message. */
const edges = new Map();
for (const m of modules) {
  for (const d of m.dependencies) {
    if (!ours(d.resolved) || d.dependencyTypes.some((t) => t === "type-only" || t === "type-import")) continue;
    const [from, to] = [dirname(m.source), dirname(d.resolved)];
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${m.source} → ${d.resolved}`);
  }
}
for (const component of stronglyConnected(edges)) {
  if (component.length < 2) continue;
  const inside = new Set(component);
  const examples = component.flatMap((from) => [...(edges.get(from) ?? [])].filter(([to]) => inside.has(to)).map(([, why]) => why));
  problems.push(`folders in a cycle: ${component.join(", ")}\n    ${examples.join("\n    ")}`);
}

if (problems.length > 0) {
  console.error(`structure: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`structure: ${modules.length} modules, none over ${MAX_LINES} lines, no cycle between folders`);

/** Tarjan's algorithm: the graph's strongly connected components. */
function stronglyConnected(graph) {
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])]);
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return components;
}
