// Node side of the CPU benchmark: answers GET / with the CPU time (ms, user + system) that every workerd
// process on this machine has used so far, read from /proc. A benchmark inside workerd reads it before and
// after a run: CPU per hold is far steadier here than a rate, which swings with scheduling.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const TICK_MS = 10;

function workerdCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    if (!stat.includes("(workerd)")) continue;
    // After "(comm) ", utime and stime are fields 14 and 15 of the line: 12 and 13 of the rest.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
}

export async function startCpuMeter(): Promise<string> {
  const server = createServer((_request, response) => response.end(String(workerdCpuMs())));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
