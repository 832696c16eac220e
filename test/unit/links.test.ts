// Every relative link in the repository's documents resolves: to a file that exists, and to a heading of it
// when it names one (GitHub's anchors: lower case, punctuation dropped, spaces as hyphens).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const DOCUMENTS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

function linksIn(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l));
}

describe("documents", () => {
  it.each(DOCUMENTS)("%s links only to files and headings that exist", (doc) => {
    const broken: string[] = [];
    for (const link of linksIn(doc)) {
      const [path, anchor] = link.split("#");
      const target = path ? resolve(dirname(join(ROOT, doc)), decodeURIComponent(path)) : join(ROOT, doc);
      if (!existsSync(target)) broken.push(`${link}: no such file`);
      else if (anchor && target.endsWith(".md") && !anchorsIn(target).has(anchor)) broken.push(`${link}: no such heading`);
    }
    expect(broken).toEqual([]);
  });
});
