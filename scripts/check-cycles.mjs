// Fails when the relative imports of src/ (type-only ones included, test files excluded) form a cycle.
// Each strongly connected component of the import graph (Tarjan) is one cycle knot; the report names its
// files and one shortest loop through them, so the fix (usually: move the shared types into their own
// file) is visible at once. docs/architecture.md says why cycles are kept out.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = 'src';
const importPattern = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** @returns {string[]} the .ts files under `dir`, test files left out */
function sourceFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The file a relative specifier names: `./x.js` is written for `./x.ts`. */
function resolveImport(from, specifier) {
  const target = resolve(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target];
  const found = candidates.find((path) => existsSync(path) && statSync(path).isFile());
  return found === undefined ? undefined : relative(process.cwd(), found);
}

function importGraph(files) {
  const graph = new Map(files.map((file) => [file, new Set()]));
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(importPattern)) {
      const target = resolveImport(file, match[1]);
      if (target !== undefined && graph.has(target)) graph.get(file).add(target);
    }
  }
  return graph;
}

/** Tarjan's strongly connected components, iterative so deep chains cannot overflow the stack. */
function stronglyConnected(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, [...graph.get(start)], 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, edges] = frame;
      if (frame[2] < edges.length) {
        const target = edges[frame[2]++];
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push([target, [...graph.get(target)], 0]);
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node), index.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        components.push(component);
      }
    }
  }
  return components;
}

/** One shortest loop from `start` back to itself inside `members` (breadth first). */
function shortestLoop(graph, start, members) {
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const target of graph.get(node)) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [];
        for (let at = node; at !== start; at = previous.get(at)) path.unshift(at);
        return [start, ...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

const graph = importGraph(sourceFiles(root));
const knots = stronglyConnected(graph).filter(
  (component) => component.length > 1 || graph.get(component[0]).has(component[0]),
);
if (knots.length > 0) {
  const lines = knots.map((component) => {
    const files = component.sort();
    const loop = shortestLoop(graph, files[0], new Set(files));
    return `- ${files.length} files: ${files.join(', ')}\n  e.g. ${loop.join(' → ')}`;
  });
  console.error(`import cycles in ${root}/ (see docs/architecture.md):\n${lines.join('\n')}`);
  process.exit(1);
}
