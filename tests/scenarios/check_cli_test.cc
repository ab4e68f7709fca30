// lockstep check at scale: the verdicts, exit codes and JSON fields users
// script against (docs/checkers.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep {
namespace {

using namespace testing;

// Key "a": twenty-four concurrent appends and a read no order of them
// explains (a search no machine finishes); key "b": a stale read.
std::string hopeless_kv(bool with_bad_key) {
  std::string h;
  for (int i = 0; i < 24; ++i) {
    h += "{:process " + std::to_string(i) + ", :type :invoke, :f :append, :key \"a\", :value \"" +
         std::string(1, static_cast<char>('a' + i)) + "\"}\n";
  }
  h += "{:process 99, :type :invoke, :f :get, :key \"a\", :value nil}\n";
  for (int i = 0; i < 24; ++i) h += "{:process " + std::to_string(i) + ", :type :ok, :f :append, :key \"a\", :value nil}\n";
  h += "{:process 99, :type :ok, :f :get, :key \"a\", :value \"zz\"}\n";
  if (with_bad_key) {
    h += "{:process 100, :type :invoke, :f :put, :key \"b\", :value \"1\"}\n"
         "{:process 100, :type :ok, :f :put, :key \"b\", :value \"1\"}\n"
         "{:process 100, :type :invoke, :f :put, :key \"b\", :value \"2\"}\n"
         "{:process 100, :type :ok, :f :put, :key \"b\", :value \"2\"}\n"
         "{:process 101, :type :invoke, :f :get, :key \"b\", :value nil}\n"
         "{:process 101, :type :ok, :f :get, :key \"b\", :value \"1\"}\n";
  }
  return write_file(with_bad_key ? "hopeless_bad" : "hopeless", h);
}

TEST(Check, AnEmptyHistoryIsLinearizable) {
  const std::string f = write_file("empty_history", "");
  auto r = run_lockstep({"check", "--history", f});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(": linearizable (0 operations"), std::string::npos) << r.out;
}

TEST(Check, TheBadKeyDecidesWhileAnotherKeyIsStillSearched) {
  auto r = run_lockstep({"check", "--history", hopeless_kv(true), "--model", "kv", "--format", "json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"verdict\":\"not linearizable\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"key\":\"b\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"parts\":2"), std::string::npos) << r.out;
}

TEST(Check, BoundsEndTheCheckWithUnknownAndExitFive) {
  const std::string f = hopeless_kv(false);
  auto timed = run_lockstep({"check", "--history", f, "--model", "kv", "--timeout", "0.3"});
  EXPECT_EQ(timed.code, 5) << timed.out << timed.err;
  EXPECT_NE(timed.out.find(": unknown (timeout) (25 operations, model kv)"), std::string::npos) << timed.out;
  auto full = run_lockstep({"check", "--history", f, "--model", "kv", "--max-memory", "8", "--format", "json"});
  EXPECT_EQ(full.code, 5) << full.out << full.err;
  EXPECT_NE(full.out.find("\"verdict\":\"unknown (memory)\""), std::string::npos) << full.out;
  EXPECT_NE(full.out.find("\"valid\":null"), std::string::npos) << full.out;
  auto bad_flag = run_lockstep({"check", "--history", f, "--timeout", "soon"});
  EXPECT_EQ(bad_flag.code, 2);
}

// Keys whose searches take a while, then one stale read: --jobs and
// LOCKSTEP_JOBS change how long the check takes, never what it reports.
TEST(Check, JobsDecideKeysOnThreadsWithOneThreadsReport) {
  std::string h;
  int process = 0;
  for (int key = 0; key < 6; ++key) {
    const std::string k = "\"k" + std::to_string(key) + "\"";
    for (int i = 0; i < 7; ++i) {
      h += "{:process " + std::to_string(process + i) + ", :type :invoke, :f :append, :key " + k + ", :value \"" +
           std::to_string(i) + "\"}\n";
    }
    for (int i = 0; i < 7; ++i) {
      h += "{:process " + std::to_string(process + i) + ", :type :ok, :f :append, :key " + k + ", :value nil}\n";
    }
    h += "{:process " + std::to_string(process + 7) + ", :type :invoke, :f :get, :key " + k + ", :value nil}\n";
    h += "{:process " + std::to_string(process + 7) + ", :type :ok, :f :get, :key " + k + ", :value \"6543210\"}\n";
    process += 10;
  }
  const std::string ok = write_file("jobs_ok", h);
  h += "{:process 200, :type :invoke, :f :put, :key \"z\", :value \"1\"}\n"
       "{:process 200, :type :ok, :f :put, :key \"z\", :value \"1\"}\n"
       "{:process 200, :type :invoke, :f :put, :key \"z\", :value \"2\"}\n"
       "{:process 200, :type :ok, :f :put, :key \"z\", :value \"2\"}\n"
       "{:process 201, :type :invoke, :f :get, :key \"z\", :value nil}\n"
       "{:process 201, :type :ok, :f :get, :key \"z\", :value \"1\"}\n";
  const std::string bad = write_file("jobs_bad", h);
  const std::regex seconds("\"seconds\":[-+.e0-9]+");
  for (const auto& [file, code] : {std::pair{ok, 0}, std::pair{bad, 1}}) {
    auto one = run_lockstep({"check", "--history", file, "--model", "kv", "--format", "json"});
    ASSERT_EQ(one.code, code) << one.out << one.err;
    EXPECT_NE(one.out.find("\"parts\":" + std::to_string(code ? 7 : 6)), std::string::npos) << one.out;
    const std::string expected = std::regex_replace(one.out, seconds, "");
    auto two = run_lockstep({"check", "--history", file, "--model", "kv", "--format", "json", "--jobs", "2"});
    EXPECT_EQ(two.code, code) << two.err;
    EXPECT_EQ(std::regex_replace(two.out, seconds, ""), expected);
    ::setenv("LOCKSTEP_JOBS", "3", 1);
    auto three = run_lockstep({"check", "--history", file, "--model", "kv", "--format", "json"});
    ::unsetenv("LOCKSTEP_JOBS");
    EXPECT_EQ(three.code, code) << three.err;
    EXPECT_EQ(std::regex_replace(three.out, seconds, ""), expected);
  }
  ::setenv("LOCKSTEP_JOBS", "many", 1);
  auto wrong = run_lockstep({"check", "--history", ok, "--model", "kv"});
  ::unsetenv("LOCKSTEP_JOBS");
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("LOCKSTEP_JOBS must be a number from 1 to 256, not \"many\""), std::string::npos)
      << wrong.err;
  EXPECT_EQ(run_lockstep({"check", "--history", ok, "--model", "kv", "--jobs", "0"}).code, 2);
}

TEST(Check, RegisterHistoriesWithDistinctWritesAreDecidedByZones) {
  std::string h;
  // write 1 [0,1]; write 2 [2,5] overlapping read -> 1 [3,4]; read -> 2 [6,7];
  // a read that timed out; then the stale read -> 1 [8,9].
  h += "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t1\n";
  h += "INFO  jepsen.util - 0\t:invoke\t:write\t2\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\n";
  h += "INFO  jepsen.util - 1\t:ok\t:read\t1\nINFO  jepsen.util - 0\t:ok\t:write\t2\n";
  h += "INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t2\n";
  h += "INFO  jepsen.util - 2\t:invoke\t:read\tnil\nINFO  jepsen.util - 2\t:info\t:read\t:timed-out\n";
  const std::string ok = write_file("zones_ok", h);
  auto r = run_lockstep({"check", "--history", ok, "--format", "json"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"decided_by_zones\":1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"unknown_reads_dropped\":1"), std::string::npos) << r.out;
  h += "INFO  jepsen.util - 3\t:invoke\t:read\tnil\nINFO  jepsen.util - 3\t:ok\t:read\t1\n";
  auto bad = run_lockstep({"check", "--history", write_file("zones_bad", h)});
  EXPECT_EQ(bad.code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("the operations on value 1 (its write and its reads) must take effect before those on "
                         "value 2 (its write and its reads)"),
            std::string::npos)
      << bad.out;
}

}  // namespace
}  // namespace lockstep
