// `lockstep check --model list-append | rw-register` on the real binary:
// the verdict per consistency model, exit codes, the explanation in text
// and JSON, the DOT picture, bad input; and ls.checker.txn in a scenario
// giving the same explanation as the command on the same transactions.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

// A write skew: each read both keys empty and appended to its own; a
// later read sees both appends. Invocations give real-time order.
const char* kWriteSkew =
    "{:index 0, :type :invoke, :process 0, :f :txn, :value [[:r :x nil] [:r :y nil] [:append :x 1]]}\n"
    "{:index 1, :type :invoke, :process 1, :f :txn, :value [[:r :x nil] [:r :y nil] [:append :y 2]]}\n"
    "{:index 2, :type :ok, :process 0, :f :txn, :value [[:r :x nil] [:r :y nil] [:append :x 1]]}\n"
    "{:index 3, :type :ok, :process 1, :f :txn, :value [[:r :x nil] [:r :y nil] [:append :y 2]]}\n"
    "{:index 4, :type :invoke, :process 2, :f :txn, :value [[:r :x nil] [:r :y nil]]}\n"
    "{:index 5, :type :ok, :process 2, :f :txn, :value [[:r :x [1]] [:r :y [2]]]}\n";

std::string history(const std::string& name, const std::string& text) {
  const std::string path = fresh_dir(name) + "/" + name + ".edn";
  std::ofstream(path) << text;
  return path;
}

TEST(TxnCheck, AWriteSkewIsNotSerializableButIsSnapshotIsolation) {
  const std::string f = history("write_skew", kWriteSkew);
  auto strict = run_lockstep({"check", "--history", f, "--model", "list-append"});
  EXPECT_EQ(strict.code, 1) << strict.out << strict.err;
  EXPECT_NE(strict.out.find("6 dependencies: not strict-serializable (G2-item)"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("G2-item: ruled out by serializable and strict-serializable\n"), std::string::npos);
  EXPECT_NE(strict.out.find("T2 (line 3, process 0): [[:r :x nil] [:r :y nil] [:append :x 1]]"), std::string::npos)
      << strict.out;
  EXPECT_NE(strict.out.find("T2 < T3 (rw): T2 read :y without 2, which T3 appended after what T2 saw."),
            std::string::npos)
      << strict.out;
  EXPECT_NE(strict.out.find("a G2-item cycle (two or more read-write anti-dependencies: a write skew)"),
            std::string::npos);

  auto si = run_lockstep({"check", "--history", f, "--model", "list-append", "--consistency", "snapshot-isolation"});
  EXPECT_EQ(si.code, 0) << si.out << si.err;
  EXPECT_NE(si.out.find("dependencies: snapshot-isolation\n"), std::string::npos) << si.out;
  EXPECT_NE(si.out.find("G2-item (allowed by snapshot-isolation): ruled out by serializable"), std::string::npos);

  auto json = run_lockstep({"check", "--history", f, "--model", "list-append", "--format", "json"});
  EXPECT_EQ(json.code, 1);
  auto doc = parse_json(json.out);
  ASSERT_TRUE(doc.ok()) << json.out;
  EXPECT_EQ(doc->str("verdict"), "not strict-serializable (G2-item)");
  EXPECT_EQ(doc->get("valid")->type, JsonValue::Type::kBool);
  EXPECT_FALSE(doc->get("valid")->boolean);
  EXPECT_EQ(doc->str("consistency"), "strict-serializable");
  const JsonValue* anomalies = doc->get("anomalies");
  ASSERT_TRUE(anomalies && anomalies->items.size() == 1) << json.out;
  const JsonValue& a = anomalies->items[0];
  EXPECT_EQ(a.str("type"), "G2-item");
  EXPECT_EQ(a.get("edges")->items.size(), 2u);
  EXPECT_EQ(a.get("edges")->items[0].str("kind"), "rw");
  EXPECT_EQ(a.get("transactions")->items.size(), 2u);

  auto dot = run_lockstep({"check", "--history", f, "--model", "list-append", "--format", "dot"});
  EXPECT_EQ(dot.code, 1);
  EXPECT_EQ(dot.out.rfind("digraph anomalies {", 0), 0u) << dot.out;
  EXPECT_NE(dot.out.find("label=\"rw :y 2\", style=dashed"), std::string::npos) << dot.out;
}

TEST(TxnCheck, JsonLinesAndRegisterHistoriesToo) {
  const std::string lost = history("lost_update",
                                   "{\"type\": \"ok\", \"process\": 0, \"value\": [[\"r\", \"x\", null], [\"w\", \"x\", 1]]}\n"
                                   "{\"type\": \"ok\", \"process\": 1, \"value\": [[\"r\", \"x\", null], [\"w\", \"x\", 2]]}\n");
  auto r = run_lockstep({"check", "--history", lost, "--model", "rw-register", "--consistency", "snapshot-isolation"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("not snapshot-isolation (lost-update)"), std::string::npos) << r.out;
  auto rc = run_lockstep({"check", "--history", lost, "--model", "rw-register", "--consistency", "read-committed"});
  EXPECT_EQ(rc.code, 0) << rc.out;
}

TEST(TxnCheck, BadInputIsOneLineAndExitTwo) {
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const std::string dup = history("dup", "{:type :ok, :value [[:append :x 1]]}\n{:type :ok, :value [[:append :x 1]]}\n");
  const std::string empty = history("empty_txn", "");
  const std::string broken = history("broken", "{:type :ok, :value [[:append :x 1]]\n");
  const std::string ws = history("ws", kWriteSkew);
  for (const Case& c : std::vector<Case>{
           {{"--history", dup, "--model", "list-append"}, ":2: appends 1 to :x, as line 1 did"},
           {{"--history", history("twice", "{:type :invoke, :process 3, :value [[:append :x 1]]}\n"
                                            "{:type :invoke, :process 3, :value [[:append :x 2]]}\n"),
             "--model", "list-append"},
            ":2: process 3 invokes again before its invocation at line 1 completed"},
           {{"--history", empty, "--model", "list-append"}, "no transactions to check"},
           {{"--history", broken, "--model", "list-append"}, "the text ends before the closing '}'"},
           {{"--history", ws, "--model", "list-append", "--consistency", "linearizable"},
            "--consistency linearizable is for single-object histories"},
           {{"--history", ws, "--model", "register", "--consistency", "serializable"},
            "--consistency serializable is for transactional histories"},
           {{"--history", ws, "--model", "register", "--format", "dot"}, "--format dot draws the cycles"},
       }) {
    std::vector<std::string> args = {"check"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = run_lockstep(args);
    EXPECT_EQ(r.code, 2) << c.says << r.out << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

// --html writes one self-contained page drawing each cycle; headless
// Chromium renders it without script errors, one cycle of two edges.
TEST(TxnCheck, TheHtmlPageDrawsTheCycleInARealBrowser) {
  const std::string f = history("page", kWriteSkew);
  const std::string html = fresh_dir("txn_page") + "/page.html";
  auto r = run_lockstep({"check", "--history", f, "--model", "list-append", "--html", html});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const std::string page = slurp(html);
  EXPECT_NE(page.find("\"type\":\"G2-item\""), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos) << "self-contained";
  auto refused = run_lockstep({"check", "--history", f, "--model", "register", "--html", html});
  EXPECT_EQ(refused.code, 2) << refused.err;
  if (chromium().empty()) GTEST_SKIP() << "no chromium on the PATH (bash .ci/install-deps --test installs it)";
  const std::string dom = run_browser("--dump-dom " + shell_quote("file://" + std::filesystem::absolute(html).string()));
  EXPECT_NE(dom.find("data-rendered=\"1\""), std::string::npos) << dom.substr(0, 400);
  EXPECT_EQ(dom.find("data-errors=\""), std::string::npos) << dom.substr(0, 400);
  EXPECT_NE(dom.find("data-cycles=\"1\""), std::string::npos);
  EXPECT_NE(dom.find("data-edges=\"2\""), std::string::npos);
  EXPECT_NE(dom.find("<g class=\"edge kind-rw\">"), std::string::npos);
}

// The scenario's ls.checker.txn and `lockstep check` on the same
// transactions explain the anomaly in the same words.
TEST(TxnCheck, TheScenarioCheckerAndTheCommandAgree) {
  const std::string scenario_file = write_file("txn_agree", R"(
local ls = lockstep
ls.test("agree", function()
  local h = ls.history.new()
  local me = ls.self()
  local pids = {}
  for _, k in ipairs({ "x", "y" }) do  -- each transaction in a process of its own
    pids[#pids + 1] = ls.spawn(function()
      local v = k == "x" and 1 or 2
      h:invoke("txn", { { "r", "x" }, { "r", "y" }, { "append", k, v } })
      ls.send(me, "invoked")
      ls.receive()
      h:ok("txn", { { "r", "x" }, { "r", "y" }, { "append", k, v } })
      ls.send(me, "done")
    end)
  end
  ls.receive(); ls.receive()
  for _, p in ipairs(pids) do ls.send(p, "go") end
  ls.receive(); ls.receive()
  h:invoke("txn", { { "r", "x" }, { "r", "y" } })
  h:ok("txn", { { "r", "x", { 1 } }, { "r", "y", { 2 } } })
  local ok, info = ls.checker.txn(h:events(), { model = "list-append", consistency = "serializable" })
  assert(not ok and not info.valid and info.anomalies[1].type == "G2-item" and info.anomalies[1].forbidden)
  ls.log(info.anomalies[1].explanation)
  local si = ls.checker.txn(h:events(), { model = "list-append", consistency = "snapshot-isolation" })
  assert(si, "a write skew is snapshot isolation")
  assert(not pcall(ls.checker.txn, h:events(), { model = "bank" }))
  error("done")
end)
)");
  auto run = run_lockstep({"run", scenario_file, "-v", "--traces-dir", fresh_dir("txn_agree_traces")});
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("done"), std::string::npos) << run.out;
  auto check = run_lockstep({"check", "--history", history("agree", kWriteSkew), "--model", "list-append",
                             "--consistency", "serializable"});
  // The history the scenario recorded numbers its events from 1, the file from 0.
  for (const char* line : {"read :y without 2, which ", " appended after what ", "a G2-item cycle"}) {
    EXPECT_NE(run.out.find(line), std::string::npos) << line << "\n" << run.out;
    EXPECT_NE(check.out.find(line), std::string::npos) << line << "\n" << check.out;
  }
}

}  // namespace
}  // namespace lockstep::testing
