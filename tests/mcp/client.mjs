// An end-to-end session with `lockstep mcp` through the official MCP client
// SDK: initialize, list the tools, run a buggy scenario, take the trace path
// from the report, replay it, explain it, and send a bad call.
// Usage: node client.mjs LOCKSTEP_BIN SCENARIO WORK_DIR
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [bin, scenario, workDir] = process.argv.slice(2);
const fail = (why) => { console.error("MCP FAILED: " + why); process.exit(1); };
const text = (result) => result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");

const transport = new StdioClientTransport({ command: bin, args: ["mcp"], cwd: workDir, stderr: "inherit" });
const client = new Client({ name: "lockstep-test", version: "1.0.0" });
await client.connect(transport);

const server = client.getServerVersion();
if (server?.name !== "lockstep") fail("server name " + JSON.stringify(server));

const { tools } = await client.listTools();
const names = tools.map((t) => t.name).sort();
console.log("tools: " + names.join(" "));
for (const want of ["list_tests", "run", "replay", "shrink", "explain", "dump_trace", "view", "lint", "check_history"]) {
  if (!names.includes(want)) fail("no tool " + want);
}

const listed = await client.callTool({ name: "list_tests", arguments: { paths: [scenario] } });
if (listed.isError || !text(listed).includes("two clients adding 1 each end at 2")) fail("list_tests: " + text(listed));

const run = await client.callTool({ name: "run", arguments: { path: scenario, seed: 1, traces_dir: "traces" } });
const report = JSON.parse(text(run).split("\n")[0]);
const bug = report.tests[0].bug;
if (run.isError || report.tests[0].status !== "bug" || !bug?.trace) fail("run: " + text(run));
console.log("bug: " + bug.kind + " at step " + bug.step + ", trace " + bug.trace);

const replay = await client.callTool({ name: "replay", arguments: { trace: bug.trace, run: true } });
if (replay.isError || !text(replay).includes("reproduced: assertion")) fail("replay: " + text(replay));
console.log("replay: " + text(replay).split("\n").find((l) => l.startsWith("reproduced")));

const explained = await client.callTool({ name: "explain", arguments: { trace: bug.trace } });
if (explained.isError || !text(explained).includes("The race that decides it")) fail("explain: " + text(explained));
console.log("explain: " + text(explained).split("\n").find((l) => l.includes("sent messages to")).trim());

let refused = false;
try {
  await client.callTool({ name: "run", arguments: { path: scenario, seed: "one" } });
} catch (e) {
  refused = String(e.message).includes("seed must be a non-negative integer");
}
if (!refused) fail("a bad argument was not refused");
const missing = await client.callTool({ name: "replay", arguments: { trace: "no-such.lockstep" } });
if (!missing.isError) fail("a missing trace is not an error");

await client.close();
console.log("MCP OK");
