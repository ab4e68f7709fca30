// Hostile input, gathered: every scenario in tests/hostile/ (its header
// says what it tries and what lockstep must answer; tests/hostile/README.md),
// then inputs that are not scenarios: crafted traces, histories and flags.
// Whatever the input, lockstep ends in bounded time with the documented
// exit code, an error is one line, and nothing printed can drive the
// terminal.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "engine/base/hash.h"
#include "engine/base/json.h"
#include "engine/trace.h"
#include "tests/scenarios/cli_helpers.h"

namespace {

using namespace lockstep::testing;
namespace fs = std::filesystem;

constexpr double kBoundSeconds = 30;

struct Hostile {
  std::string name, path;
  std::string tries;
  std::vector<std::string> args;
  int exit = -1;
  std::vector<std::string> expect;
  std::string replays;  // the failure kind its trace must replay to, if any
};

void PrintTo(const Hostile& h, std::ostream* os) { *os << h.name; }

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  std::string w;
  for (char c : s + " ") {
    if (c == ' ') {
      if (!w.empty()) words.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  return words;
}

Hostile read_case(const fs::path& file) {
  Hostile h;
  h.name = file.stem().string();
  h.path = file.string();
  std::ifstream in(file);
  std::string line;
  auto field = [&](const char* key, std::string& out) {
    const std::string prefix = std::string("-- ") + key + ":";
    if (line.rfind(prefix, 0) != 0) return false;
    out = line.substr(prefix.size());
    out.erase(0, out.find_first_not_of(' '));
    return true;
  };
  while (std::getline(in, line) && line.rfind("--", 0) == 0) {
    std::string v;
    if (field("hostile", v)) h.tries = v;
    else if (field("args", v)) h.args = split_words(v);
    else if (field("exit", v)) h.exit = std::stoi(v);
    else if (field("expect", v)) h.expect.push_back(v);
    else if (field("replays", v)) h.replays = v;
  }
  return h;
}

std::vector<Hostile> hostile_cases() {
  std::vector<Hostile> cases;
  for (const auto& e : fs::directory_iterator(std::string(LOCKSTEP_SOURCE_DIR) + "/tests/hostile")) {
    if (e.path().extension() == ".lua") cases.push_back(read_case(e.path()));
  }
  std::sort(cases.begin(), cases.end(), [](const Hostile& a, const Hostile& b) { return a.name < b.name; });
  return cases;
}

struct Timed {
  CliResult r;
  double seconds;
};

Timed timed_run(const std::vector<std::string>& args) {
  const auto start = std::chrono::steady_clock::now();
  CliResult r = run_lockstep(args);
  return {r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

// ESC, or a C1 control a terminal acts on: U+009B (CSI) and U+009D (OSC)
// as UTF-8, or the raw bytes 0x9b / 0x9d.
bool has_control(const std::string& s) {
  return s.find('\x1b') != std::string::npos || s.find("\xc2\x9b") != std::string::npos ||
         s.find("\xc2\x9d") != std::string::npos || s.find('\x9b') != std::string::npos ||
         s.find('\x9d') != std::string::npos;
}

// What every answer to hostile input must be, whatever the input.
void expect_clean(const Timed& t, int code, const std::string& what) {
  EXPECT_EQ(t.r.code, code) << what << "\n" << t.r.out << t.r.err;
  EXPECT_LT(t.seconds, kBoundSeconds) << what;
  EXPECT_FALSE(has_control(t.r.out)) << what << ": a terminal control on stdout";
  EXPECT_FALSE(has_control(t.r.err)) << what << ": a terminal control on stderr";
  if (code == 2 || code == 3) {
    EXPECT_EQ(lines(t.r.err), 1u) << what << ": an error is one line\n" << t.r.err;
    EXPECT_EQ(t.r.err.rfind("lockstep: error: ", 0), 0u) << what << "\n" << t.r.err;
  }
}

class HostileScenario : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileScenario, EndsAsItsHeaderSays) {
  const Hostile& h = GetParam();
  ASSERT_FALSE(h.tries.empty()) << h.path << ": no '-- hostile:' line";
  ASSERT_NE(h.exit, -1) << h.path << ": no '-- exit:' line";
  const std::string traces = fresh_dir("hostile_" + h.name);
  std::vector<std::string> args = {"run", h.path, "--traces-dir", traces};
  if (std::find(h.args.begin(), h.args.end(), "--iterations") == h.args.end()) {
    args.insert(args.end(), {"--iterations", "1"});
  }
  args.insert(args.end(), h.args.begin(), h.args.end());
  const Timed t = timed_run(args);
  expect_clean(t, h.exit, h.name + " (" + h.tries + ")");
  for (const auto& text : h.expect) {
    EXPECT_NE((t.r.out + t.r.err).find(text), std::string::npos) << h.name << ": expected \"" << text << "\"\n"
                                                                  << t.r.out << t.r.err;
  }
  if (h.exit == 1) {  // a bug: its trace was written
    std::vector<std::string> written;
    for (const auto& e : fs::directory_iterator(traces)) written.push_back(e.path().string());
    ASSERT_EQ(written.size(), 1u) << h.name;
    if (!h.replays.empty()) {
      const Timed replay = timed_run({"replay", "--trace", written[0], "--run"});
      expect_clean(replay, 1, h.name + " replayed");
      EXPECT_NE(replay.r.out.find("reproduced: " + h.replays), std::string::npos) << replay.r.out;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, HostileScenario, ::testing::ValuesIn(hostile_cases()),
                         [](const auto& info) { return info.param.name; });

// --- inputs that are not scenarios ------------------------------------------

std::string sample_trace_file(const std::string& dir) {
  const std::string f = write_file("hostile_sample", "local ls = lockstep\n"
                                                     "ls.test('fails', function() error('boom') end)\n");
  auto r = run_lockstep({"run", f, "--iterations", "1", "--traces-dir", dir});
  for (const auto& e : fs::directory_iterator(dir)) return e.path().string();
  ADD_FAILURE() << "no trace written: " << r.out << r.err;
  return "";
}

// An output that is one of the command's inputs, however spelt, is
// refused before anything is written: the trace and the scenario survive.
TEST(HostileInput, AnOutputThatIsAnInputIsRefused) {
  const std::string dir = fresh_dir("hostile_output_is_input");
  const std::string trace = sample_trace_file(dir);
  auto loaded = lockstep::load_trace(trace);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const std::string scenario_file = loaded->scenario_path;
  const std::string trace_bytes = slurp(trace), scenario_bytes = slurp(scenario_file);
  const fs::path p(trace);
  const std::string respelt = (p.parent_path() / ".." / p.parent_path().filename() / p.filename()).string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"view", "--trace", trace, "-o", trace}, "it is the trace"},
      {{"view", "--trace", trace, "-o", respelt}, "it is the trace"},
      {{"shrink", "--trace", trace, "-o", trace}, "it is the trace"},
      {{"shrink", "--trace", trace, "-o", scenario_file}, "it is the scenario"},
  };
  for (const auto& [args, text] : cases) {
    const Timed t = timed_run(args);
    expect_clean(t, 2, args[0] + " -o " + args.back());
    EXPECT_NE(t.r.err.find(text), std::string::npos) << t.r.err;
  }
  EXPECT_EQ(slurp(trace), trace_bytes);
  EXPECT_EQ(slurp(scenario_file), scenario_bytes);
}

// A newline in a test name, a log or an error stays inside its line: no
// line of the output is one the scenario wrote.
TEST(HostileInput, ANewlineCannotFakeALineOfTheReport) {
  const Timed t = timed_run({"run", std::string(LOCKSTEP_SOURCE_DIR) + "/tests/hostile/c1_controls_and_newlines.lua",
                             "--iterations", "1", "-v", "--traces-dir", fresh_dir("hostile_newlines")});
  expect_clean(t, 1, "newlines");
  std::istringstream out(t.r.out + t.r.err);
  int summaries = 0;
  for (std::string line; std::getline(out, line);) summaries += line.rfind("lockstep: 1 test", 0) == 0;
  EXPECT_EQ(summaries, 1) << t.r.out << t.r.err;
}

// SIGINT or SIGTERM stops a long run at an iteration boundary: the summary
// so far is printed (JSON marked "interrupted"), later tests do not run,
// and the exit status is 130 or 143.
TEST(HostileInput, ASignalStopsTheRunWithTheSummarySoFar) {
  const std::string f = write_file("hostile_signal", "local ls = lockstep\n"
                                                     "ls.test('long', {iterations = 100000000}, function()\n"
                                                     "  local p = ls.spawn(function() ls.receive() end)\n"
                                                     "  ls.send(p, 1)\n"
                                                     "end)\n"
                                                     "ls.test('later', function() end)\n");
  const std::string dir = fresh_dir("hostile_signal_out");
  for (const auto& [signal, code, format] : std::vector<std::tuple<std::string, int, std::string>>{
           {"INT", 130, "json"}, {"TERM", 143, "text"}}) {
    const std::string out = dir + "/out." + format;
    const std::string cmd = shell_quote(LOCKSTEP_BIN) + " run " + shell_quote(f) + " --format " + format +
                            " --traces-dir " + shell_quote(dir) + " > " + shell_quote(out) +
                            " 2>/dev/null & pid=$!; sleep 1; kill -" + signal + " $pid; wait $pid; exit $?";
    const int status = std::system(("bash -c " + shell_quote(cmd)).c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), code) << signal;
    const std::string text = slurp(out);
    if (format == "json") {
      auto doc = lockstep::parse_json(text);
      ASSERT_TRUE(doc.ok()) << text;
      EXPECT_EQ(doc->get("summary")->str("interrupted"), "SIGINT") << text;
      ASSERT_EQ(doc->get("tests")->items.size(), 1u) << text;  // "later" did not run
      EXPECT_TRUE(doc->get("tests")->items[0].flag("interrupted")) << text;
      EXPECT_GT(doc->get("tests")->items[0].u64("iterations_run"), 0u) << text;
    } else {
      EXPECT_NE(text.find("(interrupted)"), std::string::npos) << text;
      EXPECT_NE(text.find("interrupted by SIGTERM"), std::string::npos) << text;
      EXPECT_EQ(text.find("later (hostile_signal.lua)"), std::string::npos) << text;
    }
  }
}

// Output that cannot be written (a full disk) is an error, not exit 0.
TEST(HostileInput, StdoutThatCannotBeWrittenIsAnError) {
  const std::string dir = fresh_dir("hostile_full");
  const std::string trace = sample_trace_file(dir);
  const std::string err = dir + "/stderr.txt";
  const auto run = [&](const std::string& args, const std::string& input = "") {
    const std::string cmd = (input.empty() ? "" : "echo " + shell_quote(input) + " | ") + shell_quote(LOCKSTEP_BIN) +
                            " " + args + " > /dev/full 2> " + shell_quote(err);
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run("dump-trace --trace " + shell_quote(trace)), 2);
  EXPECT_NE(slurp(err).find("cannot write to standard output"), std::string::npos) << slurp(err);
  EXPECT_EQ(run("view --trace " + shell_quote(trace) + " -o -"), 2);
  EXPECT_EQ(run("mcp", R"({"jsonrpc":"2.0","id":1,"method":"ping"})"), 2);
  EXPECT_EQ(lines(slurp(err)), 1u) << slurp(err);
}

// A trace that names some other file as its scenario: replay --run must
// refuse it by name before reading it (a device would hang, a secret would
// be quoted in a parse error).
TEST(HostileInput, ATraceNamingADeviceOrASecretIsRefusedBeforeReading) {
  const std::string dir = fresh_dir("hostile_named");
  auto trace = lockstep::load_trace(sample_trace_file(dir));
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& target : {std::string("/dev/zero"), std::string("/etc/shadow"), fifo}) {
    trace->scenario_path = target;
    const std::string path = dir + "/crafted.lockstep";
    ASSERT_TRUE(lockstep::save_trace(path, *trace).ok());
    const Timed t = timed_run({"replay", "--trace", path, "--run"});
    expect_clean(t, 2, "a trace naming " + target);
    EXPECT_NE(t.r.err.find(target), std::string::npos) << t.r.err;
    EXPECT_EQ(t.r.err.find("root:"), std::string::npos) << "quoted the file: " << t.r.err;
  }
}

// 45 bytes whose one string claims 4 GiB (checksum valid): refused from the
// size field, before anything is allocated.
TEST(HostileInput, ATraceClaimingHugeSizesIsOneLine) {
  auto put = [](std::string& out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  std::string field = "\x01";
  put(field, uint64_t{1} << 32, 8);
  std::string payload;
  put(payload, 1, 4);
  put(payload, field.size(), 8);
  payload += field;
  std::string file = "LOCKSTEP";
  put(file, 2, 4);
  put(file, 0, 4);
  put(file, payload.size(), 8);
  put(file, lockstep::fnv1a(payload), 8);
  file += payload;
  const std::string path = fresh_dir("hostile_huge") + "/huge.lockstep";
  std::ofstream(path, std::ios::binary) << file;
  for (const char* command : {"replay", "shrink", "dump-trace", "view", "explain"}) {
    const Timed t = timed_run({command, "--trace", path});
    expect_clean(t, 2, std::string(command) + " of a crafted trace");
    EXPECT_NE(t.r.err.find("size field"), std::string::npos) << command << ": " << t.r.err;
  }
}

TEST(HostileInput, BrokenHistoriesEndWithOneLine) {
  const std::string dir = fresh_dir("hostile_histories");
  const std::vector<std::pair<std::string, std::string>> files = {
      {"open.jsonl", "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"value\": [\n"},
      {"nul.jsonl", std::string("{\"process\": 0\0, \"type\": \"invoke\"}\n", 33)},
      {"deep.edn", std::string(100000, '[')},
      {"deep.jsonl", std::string(100000, '[')},
      {"binary.log", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10)},
  };
  for (const auto& [name, text] : files) {
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
    const Timed t = timed_run({"check", "--history", dir + "/" + name, "--model", "register"});
    expect_clean(t, 2, "check " + name);
    EXPECT_NE(t.r.err.find(name + ":"), std::string::npos) << "names the file: " << t.r.err;
  }
}

// A value the checker cannot read is quoted clipped, and time limits that
// are not a number of seconds are refused with their range.
TEST(HostileInput, CheckQuotesAHugeValueClippedAndRefusesBadTimeouts) {
  const std::string dir = fresh_dir("hostile_check_limits");
  std::ofstream(dir + "/huge.edn") << "{:process 0, :type :invoke, :f :write, :value (" << std::string(200000, 'x')
                                   << "}\n";
  const Timed huge = timed_run({"check", "--history", dir + "/huge.edn", "--model", "register"});
  expect_clean(huge, 2, "check of a 200 KB value");
  EXPECT_LT(huge.r.err.size(), 300u) << huge.r.err.substr(0, 400);
  EXPECT_NE(huge.r.err.find("200001 bytes"), std::string::npos) << huge.r.err.substr(0, 400);
  std::ofstream(dir + "/ok.edn") << "{:process 0, :type :invoke, :f :write, :value 1}\n";
  for (const char* timeout : {"nan", "-1", "inf", "1e400"}) {
    const Timed t = timed_run({"check", "--history", dir + "/ok.edn", "--model", "register", "--timeout", timeout});
    expect_clean(t, 2, std::string("check --timeout ") + timeout);
    EXPECT_NE(t.r.err.find("must be a number of seconds from 0 to 31536000"), std::string::npos) << t.r.err;
  }
  const Timed zero = timed_run({"check", "--history", dir + "/ok.edn", "--model", "register", "--timeout", "0"});
  EXPECT_EQ(zero.r.code, 0) << zero.r.err;  // 0: no limit, as documented
}

TEST(HostileInput, OutOfRangeFlagsAreRefusedWithTheirRange) {
  const std::string f = write_file("hostile_flags", "local ls = lockstep\n"
                                                    "ls.test('t', function() ls.sleep(1) end)\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--iterations", "0"}, "iterations must be a positive integer"},
      {{"--iterations", "-5"}, "iterations must be a positive integer, not \"-5\""},
      {{"--iterations", "1e999"}, "iterations must be a positive integer, not \"1e999\""},
      {{"--iter-timeout", "9200000000000"}, "iter_timeout must be at most 86400000"},
      {{"--pct-depth", "4294967295"}, "pct_depth must be at most 1000"},
      {{"--max-steps", "0"}, "max_steps must be a positive integer"},
      {{"--jobs", "0"}, "--jobs: Value 0 not in range 1 to 256"},
      {{"--seed", "x"}, "seed must be a non-negative integer"},
      {{"--max-memory", "0"}, "max_memory must be a positive integer"},
      {{"--faults", "drop=99999999999"}, "drop must be at most 1000"},
      {{"--shard", "1/1000000000"}, "--shard: at most 100000 parts, not 1000000000"},
  };
  for (const auto& [flags, text] : cases) {
    std::vector<std::string> args = {"run", f};
    args.insert(args.end(), flags.begin(), flags.end());
    const Timed t = timed_run(args);
    expect_clean(t, 2, flags[0] + " " + flags[1]);
    EXPECT_NE(t.r.err.find(text), std::string::npos) << flags[0] << " " << flags[1] << ": " << t.r.err;
  }
}

// 10^12 iterations do not allocate up front: the first bug ends the run.
TEST(HostileInput, AHugeIterationCountStartsAtOnce) {
  const std::string f = write_file("hostile_many", "local ls = lockstep\n"
                                                   "ls.test('t', function() error('first') end)\n");
  const Timed t = timed_run({"run", f, "--iterations", "1000000000000", "--jobs", "2", "--traces-dir",
                             fresh_dir("hostile_many_t")});
  expect_clean(t, 1, "--iterations 1e12");
  EXPECT_LT(t.seconds, 5) << "started by building every iteration's index?";
}

// C work that is long but finite and cannot be interrupted (table.sort of
// 8 million numbers) ends the tool with one line, past the deadline by a
// second at most, rather than hang it.
TEST(HostileInput, CWorkThatCannotBeInterruptedEndsTheToolWithOneLine) {
  const std::string f = write_file("hostile_sort", R"(
local ls = lockstep
local t = {}
for i = 1, 8000000 do t[i] = (i * 7919) % 8000009 end
ls.test("sorts", { iter_timeout = 10 }, function()
  ls.sleep(1)
  table.sort(t)
end)
)");
  // The test's own iter_timeout: the flag would bound the top level too.
  const Timed t = timed_run({"run", f, "--iterations", "1", "--traces-dir", fresh_dir("hostile_sort_t")});
  expect_clean(t, 2, "table.sort past the deadline");
  EXPECT_NE(t.r.err.find("inside a C function that cannot be interrupted"), std::string::npos) << t.r.err;
}

}  // namespace
