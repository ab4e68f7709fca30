// docs/schema/*.schema.json against real outputs of run, merge and check:
// every field a JSON consumer reads is described, and the documents carry
// nothing the schema does not name. Validated with Python's jsonschema
// (Debian's python3-jsonschema, installed by .ci/install-deps --test).
#include <cstdlib>
#include <string>
#include <vector>

#include "cli_helpers.h"
#include "engine/checker/txn_generate.h"

namespace lockstep::testing {
namespace {

const std::string kSchemas = std::string(LOCKSTEP_SOURCE_DIR) + "/docs/schema/";

bool have_validator() {
  return std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
}

// Validates every JSON document in `docs` (one per string) against
// `schema`; returns what the validator said, empty when all are valid.
std::string validate(const std::string& schema, const std::vector<std::string>& docs) {
  std::vector<std::string> files;
  for (size_t i = 0; i < docs.size(); ++i) {
    files.push_back(temp_path("doc" + std::to_string(i) + ".json"));
    std::ofstream(files.back()) << docs[i];
  }
  std::string cmd = "python3 -c '\n"
                    "import json, sys, jsonschema\n"
                    "schema = json.load(open(sys.argv[1]))\n"
                    "jsonschema.Draft202012Validator.check_schema(schema)\n"
                    "v = jsonschema.Draft202012Validator(schema)\n"
                    "for f in sys.argv[2:]:\n"
                    "    for e in v.iter_errors(json.load(open(f))):\n"
                    "        print(f, list(e.absolute_path), e.message[:300])\n"
                    "' " +
                    shell_quote(kSchemas + schema);
  for (const std::string& f : files) cmd += " " + shell_quote(f);
  const std::string out = temp_path("validator.txt");
  const int rc = std::system((cmd + " >" + shell_quote(out) + " 2>&1").c_str());
  std::string said = slurp(out);
  if (rc != 0 && said.empty()) said = "validator exited with " + std::to_string(rc);
  return said;
}

#define REQUIRE_VALIDATOR() \
  if (!have_validator()) GTEST_SKIP() << "python3 with jsonschema not found (bash .ci/install-deps --test installs it)"

TEST(JsonSchema, RunOutputsOfEveryShapeAreValid) {
  REQUIRE_VALIDATOR();
  const std::string dir = fresh_dir("schema_run");
  const std::string broken = write_file("schema_broken", "this is not lua");
  const std::vector<std::vector<std::string>> runs = {
      // a bug and a pass, with coverage
      {scenario("lost_update.lua"), scenario("lost_update_fixed.lua"), "--coverage", "--iterations", "30"},
      // a search: a proof, a bug, a delay bound
      {scenario("lost_update_fixed.lua"), "--strategy", "dfs"},
      {scenario("lost_update.lua"), "--strategy", "dfs", "--delay-bound", "1"},
      // an injected fault (and nodes)
      {scenario("gossip_leave.lua"), "--seed", "1"},
      // a test's error and a file that does not load
      {scenario("lost_update.lua"), broken, "--max-steps", "5"},
      // bounded by time
      {scenario("lost_update_fixed.lua"), "--max-seconds", "1", "--iterations", "100000000"},
      // a search that remembers states
      {scenario("poll_until_done_fixed.lua"), "--strategy", "dfs", "--state-cache", "full"},
      // warnings, --strict
      {scenario("split_brain_fixed.lua"), "--strategy", "dfs", "--iterations", "5", "--strict"},
      // a search in rounds of growing delay bound
      {scenario("lost_update.lua"), "--strategy", "dfs", "--fewest-delays", "on"},
      // a search whose states are kept in a bit table
      {scenario("poll_until_done_fixed.lua"), "--strategy", "dfs", "--state-cache", "full", "--bitstate", "1"},
  };
  std::vector<std::string> docs;
  for (std::vector<std::string> args : runs) {
    args.insert(args.begin(), "run");
    for (const char* a : {"--format", "json", "--traces-dir"}) args.push_back(a);
    args.push_back(dir);
    CliResult r = run_lockstep(args);
    ASSERT_TRUE(r.code == 0 || r.code == 1 || r.code == 2 || r.code == 3) << r.code << r.err;
    ASSERT_FALSE(r.out.empty()) << r.err;
    docs.push_back(r.out);
  }
  EXPECT_NE(docs[0].find("\"coverage\""), std::string::npos);
  EXPECT_NE(docs[2].find("\"delay_bound\""), std::string::npos);
  EXPECT_NE(docs[3].find("\"kind\":\"drop\""), std::string::npos);
  EXPECT_NE(docs[4].find("\"name\":null"), std::string::npos);
  EXPECT_NE(docs[5].find("\"bounded_by\":\"time\""), std::string::npos) << docs[5];
  EXPECT_NE(docs[6].find("\"states\""), std::string::npos) << docs[6];
  EXPECT_NE(docs[7].find("\"kind\":\"no_proof\""), std::string::npos) << docs[7];
  EXPECT_NE(docs[8].find("\"fewest_delays\":true"), std::string::npos) << docs[8];
  EXPECT_NE(docs[9].find("\"omission_probability\":"), std::string::npos) << docs[9];
  EXPECT_EQ(validate("run.schema.json", docs), "");
}

TEST(JsonSchema, MergedShardsAreValid) {
  REQUIRE_VALIDATOR();
  std::vector<std::string> parts;
  for (const char* shard : {"0/2", "1/2"}) {
    CliResult r = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--strategy", "dfs", "--shard", shard,
                                "--format", "json", "--traces-dir", fresh_dir("schema_shards")});
    ASSERT_EQ(r.code, 0) << r.err;
    parts.push_back(temp_path(std::string("part") + shard[0] + ".json"));
    std::ofstream(parts.back()) << r.out;
  }
  CliResult merged = run_lockstep({"merge", parts[0], parts[1]});
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_EQ(validate("run.schema.json", {slurp(parts[0]), merged.out}), "");
}

TEST(JsonSchema, CheckOutputsAreValid) {
  REQUIRE_VALIDATOR();
  const std::string data = std::string(LOCKSTEP_SOURCE_DIR) + "/../shared/data/histories";
  if (!std::filesystem::exists(data)) GTEST_SKIP() << "shared/data/histories not found at " << data;
  std::vector<std::string> docs;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--history", data + "/etcd/etcd_002.log", "--model", "register"},
           {"--history", data + "/kv/c10-bad.txt", "--model", "kv"},
           {"--history", data + "/kv/c01-ok.txt", "--model", "kv", "--consistency", "sequential"},
           {"--history", data + "/kv/c10-ok.txt", "--model", "kv", "--timeout", "0.000001"}}) {
    std::vector<std::string> argv = {"check"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--format", "json"});
    CliResult r = run_lockstep(argv);
    ASSERT_TRUE(r.code == 0 || r.code == 1 || r.code == 5) << r.code << r.err;
    docs.push_back(r.out);
  }
  EXPECT_NE(docs[1].find("\"valid\":false"), std::string::npos) << docs[1];
  EXPECT_EQ(validate("check.schema.json", docs), "");
}

// Transactional checks: invalid, valid, and unknown within --timeout.
TEST(JsonSchema, TransactionalCheckOutputsAreValid) {
  REQUIRE_VALIDATOR();
  lockstep::checker::txn::GenerateOptions o;
  o.transactions = 20000;
  const std::string dir = fresh_dir("schema_txn");
  const std::string big = dir + "/big.edn";
  std::ofstream(big) << lockstep::checker::txn::generate_history(o);
  o.transactions = 200;
  o.inject = "G2-item";
  const std::string skew = dir + "/skew.edn";
  std::ofstream(skew) << lockstep::checker::txn::generate_history(o);
  o.model = lockstep::checker::txn::Model::kRwRegister;
  o.inject = "lost-update";
  const std::string lost = dir + "/lost.edn";
  std::ofstream(lost) << lockstep::checker::txn::generate_history(o);
  std::vector<std::string> docs;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--history", skew, "--model", "list-append"},
           {"--history", skew, "--model", "list-append", "--consistency", "snapshot-isolation"},
           {"--history", lost, "--model", "rw-register", "--consistency", "serializable"},
           {"--history", big, "--model", "list-append", "--timeout", "0.000001"}}) {
    std::vector<std::string> argv = {"check"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--format", "json"});
    CliResult r = run_lockstep(argv);
    ASSERT_TRUE(r.code == 0 || r.code == 1 || r.code == 5) << r.code << r.err;
    docs.push_back(r.out);
  }
  EXPECT_NE(docs[0].find("\"valid\":false"), std::string::npos) << docs[0];
  EXPECT_NE(docs[1].find("\"valid\":true"), std::string::npos) << docs[1];
  EXPECT_NE(docs[3].find("\"verdict\":\"unknown (timeout)\""), std::string::npos) << docs[3];
  EXPECT_EQ(validate("check.schema.json", docs), "");
}

// The schema is strict: a field it does not name fails, so it cannot
// silently fall behind the output.
TEST(JsonSchema, AnUnknownFieldIsRejected) {
  REQUIRE_VALIDATOR();
  EXPECT_NE(validate("run.schema.json", {R"({"tests":[],"summary":{"tests":0,"passed":0,"bugs":0,"unmet":0,"errors":0,)"
                                         R"("iterations":0,"steps":0,"max_steps_hits":0,"warnings":0,"strict":false,"wall_seconds":0,)"
                                         R"("interrupted":null,"new_field":1}})"}),
            "");
  EXPECT_EQ(validate("run.schema.json", {R"({"tests":[],"summary":{"tests":0,"passed":0,"bugs":0,"unmet":0,"errors":0,)"
                                         R"("iterations":0,"steps":0,"max_steps_hits":0,"warnings":0,"strict":false,"wall_seconds":0,)"
                                         R"("interrupted":null}})"}),
            "");
}

}  // namespace
}  // namespace lockstep::testing
