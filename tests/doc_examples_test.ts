/**
 * Doc examples that can fail: every function, class and constant the library exports from
 * mod.ts has an `@example` that asserts with node:assert (deno test --doc runs them), and no
 * doc example anywhere uses `console.assert`, whose false result only prints a line.
 */

import assert from "node:assert";

const ROOT = new URL("..", import.meta.url);

interface DocTag {
  kind: string;
  doc?: string;
}
interface DocSymbol {
  name: string;
  declarations: { kind: string; jsDoc?: { tags?: DocTag[] } }[];
}

async function exportedSymbols(): Promise<DocSymbol[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const json = JSON.parse(new TextDecoder().decode(output.stdout));
  const nodes = Object.values(json.nodes) as { symbols: DocSymbol[] }[];
  return nodes.flatMap((node) => node.symbols);
}

/** Names of runnable exports (not types) whose JSDoc has no example asserting with node:assert. */
export function withoutAssertingExample(symbols: DocSymbol[]): string[] {
  const runnable = new Set(["function", "class", "variable", "enum"]);
  return symbols.filter((symbol) =>
    symbol.declarations.some((d) => runnable.has(d.kind)) &&
    !symbol.declarations.some((d) =>
      (d.jsDoc?.tags ?? []).some((tag) =>
        tag.kind === "example" && /from "node:assert"/.test(tag.doc ?? "") &&
        /\bassert(\.\w+)?\(/.test(tag.doc ?? "")
      )
    )
  ).map((symbol) => symbol.name);
}

Deno.test("doc examples: every runnable export of mod.ts has an example that asserts", async () => {
  const missing = withoutAssertingExample(await exportedSymbols());
  assert.deepStrictEqual(missing, [], `exports without an asserting @example: ${missing}`);
});

Deno.test("doc examples: the check sees an export without an asserting example", () => {
  const symbol = (kind: string, doc?: string): DocSymbol => ({
    name: `${kind}:${doc ?? "none"}`,
    declarations: [{ kind, jsDoc: doc === undefined ? {} : { tags: [{ kind: "example", doc }] } }],
  });
  const asserting = '```ts\nimport assert from "node:assert";\nassert(1 + 1 === 2);\n```';
  const printing = "```ts\nconsole.assert(1 + 1 === 3);\n```";
  assert.deepStrictEqual(
    withoutAssertingExample([
      symbol("function", asserting),
      symbol("function", printing),
      symbol("variable"),
      symbol("interface"),
    ]),
    [`function:${printing}`, "variable:none"],
  );
});

Deno.test("doc examples: no console.assert in the library's documentation", async () => {
  const found: string[] = [];
  const walk = async (dir: URL, path: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const child = path ? `${path}/${entry.name}` : entry.name;
      if (entry.isDirectory) {
        if (!entry.name.startsWith(".") && !["build", "build-asan", "tests"].includes(child)) {
          await walk(new URL(`${entry.name}/`, dir), child);
        }
      } else if (entry.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(new URL(entry.name, dir));
        if (text.includes("console.assert(")) found.push(child);
      }
    }
  };
  await walk(ROOT, "");
  assert.deepStrictEqual(found, [], `console.assert cannot fail a doc test: ${found}`);
});
