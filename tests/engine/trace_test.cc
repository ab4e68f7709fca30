// Trace files: round trip, and every kind of bad file is a clean error.
#include "engine/trace.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "engine/base/files.h"
#include "engine/base/hash.h"
#include "engine/base/prng.h"
#include "engine/replay.h"

namespace lockstep {
namespace {

Trace sample() {
  Trace t;
  t.tool_version = "0.1.0";
  t.scenario_path = "scenarios/x.lua";
  t.scenario_hash = 0x1234;
  t.test_name = "a test";
  t.strategy = "pct";
  t.params.set("pct_depth", 4);
  t.seed = 9;
  t.iteration = 3;
  t.iteration_seed = derive_seed(9, 3);
  t.options.timers = TimerMode::kAny;
  t.decisions = {{DecisionKind::kSchedule, StepKind::kStart, 0},
                 {DecisionKind::kChoice, StepKind::kStart, 5},
                 {DecisionKind::kFireTimer, StepKind::kTimer, 2}};
  t.events = {{1, StepKind::kStart, 0, -1, ""}, {2, StepKind::kSend, 0, 1, "{\"hi\"}"}};
  const Access send{object::mailbox(1), true};
  t.facts.add({1, EventKey::process(0), StepKind::kStart, 0, 0, 0, {}, {}, {}});
  t.facts.add({2,
               EventKey::process(0),
               StepKind::kSend,
               0,
               0,
               1,
               std::span<const Access>(&send, 1),
               {},
               {}});
  t.logs = {{2, 0, "hello"}};
  t.processes = {{0, "root"}};
  t.failure = {FailureKind::kAssertion, 2, 0, "boom", "x.lua:3", ""};
  t.steps = 2;
  return t;
}

TEST(Trace, RoundTripsEveryField) {
  const Trace t = sample();
  auto back = decode_trace(encode_trace(t), "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->test_name, t.test_name);
  EXPECT_EQ(back->decisions, t.decisions);
  EXPECT_EQ(back->events.size(), 2u);
  EXPECT_EQ(back->events[1].detail, "{\"hi\"}");
  EXPECT_EQ(back->failure.message, "boom");
  EXPECT_EQ(back->options.timers, TimerMode::kAny);
  EXPECT_EQ(back->params.get("pct_depth", 0), 4u);
  EXPECT_EQ(back->iteration_seed, t.iteration_seed);
  EXPECT_EQ(encode_trace(*back), encode_trace(t));  // byte-identical
}

TEST(Trace, RoundTripsTheSourceLineOfEachStep) {
  Trace t = sample();
  t.locations = {"scenarios/x.lua:7"};
  t.events[1].location = 1;
  t.events.push_back({3, StepKind::kSend, 0, 1, "", 1});  // one string, stored once
  auto back = decode_trace(encode_trace(t), "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->location_of(back->events[0]), "");
  EXPECT_EQ(back->location_of(back->events[1]), "scenarios/x.lua:7");
  EXPECT_EQ(back->location_of(back->events[2]), "scenarios/x.lua:7");
  EXPECT_EQ(back->locations.size(), 1u);
  EXPECT_EQ(encode_trace(*back), encode_trace(t));
  // Without locations (a trace of an earlier version) no field is written.
  EXPECT_EQ(encode_trace(sample()).find("x.lua:7"), std::string::npos);
}

TEST(Trace, RoundTripsStepFacts) {
  const Trace t = sample();
  auto back = decode_trace(encode_trace(t), "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->facts.steps, t.facts.steps);
  EXPECT_EQ(back->facts.accesses, t.facts.accesses);
  EXPECT_EQ(back->facts.at(1).accesses[0], (Access{object::mailbox(1), true}));
}

// The records of a trace file, and a file around records.
std::string records(const std::string& file) {
  auto r = trace_records(file, "t");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::string();
}
std::string frame(const std::string& payload) { return trace_file(payload); }

TEST(Trace, SkipsFieldsWrittenByANewerVersion) {
  const std::string file = encode_trace(sample());
  std::string payload = records(file);
  // A field this version does not know: tag 9999, 3 bytes.
  const std::string unknown = {'\x0f', '\x27', 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c'};
  auto back = decode_trace(frame(unknown + payload + unknown), "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(encode_trace(*back), file);
}

TEST(Trace, AFieldRunningPastTheEndIsCorrupt) {
  std::string payload = records(encode_trace(sample()));
  const std::string bad = {'\x01', 0, 0, 0, '\x40', 0, 0, 0, 0, 0, 0, 0, 'x'};
  auto r = decode_trace(frame(payload + bad), "t.lockstep");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("t.lockstep: corrupt trace"), std::string::npos)
      << r.status().message();
}

// Traces of format 1 (positional payload, causality on the events) are
// still read: tests/data keeps one per format change.
TEST(Trace, ReadsFormatOne) {
  auto t =
      load_trace(std::string(LOCKSTEP_SOURCE_DIR) + "/tests/data/v1-supervisor-restart.lockstep");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->format_version, 1u);
  EXPECT_EQ(t->test_name, "the client can always reach the worker");
  EXPECT_EQ(t->failure.kind, FailureKind::kCrash);
  EXPECT_EQ(t->failure.step, 24u);
  EXPECT_EQ(t->options.timers, TimerMode::kQuiescent);
  EXPECT_EQ(t->decisions.size(), 24u);
  ASSERT_EQ(t->facts.size(), t->events.size());
  EXPECT_EQ(t->facts.at(21).consumed, 21u);  // step 22 took the EXIT that step 21 sent
  // Written again, it is a format-2 trace with the same content.
  auto again = decode_trace(encode_trace(*t), "again");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->decisions, t->decisions);
  EXPECT_EQ(again->facts.steps, t->facts.steps);
}

// Format 2 (tagged fields, uncompressed) is still read.
TEST(Trace, ReadsFormatTwo) {
  auto t = load_trace(std::string(LOCKSTEP_SOURCE_DIR) + "/tests/data/v2-gossip-leave-drop-fault.lockstep");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->format_version, 2u);
  EXPECT_FALSE(t->decisions.empty());
  EXPECT_EQ(t->facts.size(), t->events.size());
  auto again = decode_trace(encode_trace(*t), "again");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->format_version, kTraceFormatVersion);
  EXPECT_EQ(again->decisions, t->decisions);
  EXPECT_EQ(again->facts.steps, t->facts.steps);
}

// A long run of the same two steps, as an iteration that polls for ever.
Trace repetitive(uint32_t steps) {
  Trace t = sample();
  t.events.clear();
  t.decisions.clear();
  t.facts.clear();
  t.locations = {"scenarios/poll.lua:12"};
  const Access mailbox{object::mailbox(0), true};
  for (uint32_t s = 1; s <= steps; ++s) {
    const StepKind kind = s % 2 ? StepKind::kSend : StepKind::kReceive;
    t.events.push_back({s, kind, 0, 0, "\"ping\"", 1});
    t.decisions.push_back({DecisionKind::kSchedule, kind, 0});
    t.facts.add({s, EventKey::process(0), kind, 0, s % 2 ? 0 : s - 1, 0,
                 std::span<const Access>(&mailbox, 1), {}, {}});
  }
  t.steps = steps;
  t.failure.step = steps;
  return t;
}

TEST(Trace, ALongRunOfRepeatedStepsCostsAFewBytesAStep) {
  const Trace t = repetitive(200000);
  const std::string file = encode_trace(t);
  EXPECT_LT(file.size(), 200000u * 16) << file.size() << " bytes";  // format 2: about 100 a step
  auto back = decode_trace(file, "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->events.size(), 200000u);
  EXPECT_EQ(back->location_of(back->events.back()), "scenarios/poll.lua:12");
  EXPECT_EQ(back->facts.steps, t.facts.steps);
  EXPECT_EQ(back->decisions, t.decisions);
}

// The compressed records of a file, their claimed size replaced, framed again.
std::string with_payload(const std::string& file, const std::function<void(std::string&)>& edit) {
  std::string payload = file.substr(32);
  edit(payload);
  std::string out = file.substr(0, 16);
  for (uint64_t v : {uint64_t{payload.size()}, fnv1a(payload)}) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  return out + payload;
}

void set_claim(std::string& payload, uint64_t claim) {
  for (int i = 0; i < 8; ++i) payload[i] = static_cast<char>((claim >> (8 * i)) & 0xff);
}

uint64_t claim_of(const std::string& file) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(file[32 + i])} << (8 * i);
  return v;
}

TEST(Trace, CompressedRecordsThatDoNotMatchTheirClaimAreCorrupt) {
  const std::string file = encode_trace(sample());
  const uint64_t size = claim_of(file);
  auto error_of = [](const std::string& bytes) {
    auto r = decode_trace(bytes, "t.lockstep");
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(error_of(with_payload(file, [](std::string& p) { set_claim(p, uint64_t{5} << 30); }))
                .find("more than a trace may hold (4 GiB)"),
            std::string::npos);
  EXPECT_NE(error_of(with_payload(file, [&](std::string& p) { set_claim(p, size + 1); }))
                .find("shorter than the header says"),
            std::string::npos);
  EXPECT_NE(error_of(with_payload(file, [&](std::string& p) { set_claim(p, size - 1); }))
                .find("longer than the header says"),
            std::string::npos);
  EXPECT_NE(error_of(with_payload(file, [](std::string& p) { p.resize(p.size() - 5); })).find("cut short"),
            std::string::npos);
  EXPECT_NE(error_of(with_payload(file, [](std::string& p) { p += "junk"; })).find("bytes after"),
            std::string::npos);
  EXPECT_NE(error_of(with_payload(file, [](std::string& p) { p[p.size() / 2] ^= 0x55; }))
                .find("t.lockstep: corrupt trace ("),
            std::string::npos);
  EXPECT_NE(error_of(with_payload(file, [](std::string& p) { p.resize(3); })).find("no size"), std::string::npos);
}

TEST(Trace, EmptyFileIsAnError) {
  auto r = decode_trace("", "f.lockstep");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("f.lockstep: empty"), std::string::npos);
}

TEST(Trace, ForeignFileIsAnError) {
  auto r = decode_trace("local ls = lockstep\n-- not a trace at all, just text\n", "x.lua");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad magic"), std::string::npos);
}

TEST(Trace, TruncatedFileIsAnError) {
  const std::string bytes = encode_trace(sample());
  for (size_t n :
       {size_t{8}, size_t{20}, size_t{31}, size_t{32}, bytes.size() / 2, bytes.size() - 1}) {
    auto r = decode_trace(bytes.substr(0, n), "t");
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_NE(r.status().message().find("trunc"), std::string::npos) << r.status().message();
  }
}

TEST(Trace, BitFlipsAreDetected) {
  const std::string bytes = encode_trace(sample());
  for (size_t i = 32; i < bytes.size(); i += 7) {
    std::string bad = bytes;
    bad[i] ^= 0x10;
    auto r = decode_trace(bad, "t");
    ASSERT_FALSE(r.ok()) << "flip at " << i;
    EXPECT_NE(r.status().message().find("checksum"), std::string::npos);
  }
}

TEST(Trace, FutureVersionIsAnError) {
  std::string bytes = encode_trace(sample());
  bytes[8] = static_cast<char>(kTraceFormatVersion + 1);
  auto r = decode_trace(bytes, "t");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("version"), std::string::npos);
}

TEST(Trace, RandomMutationsNeverCrash) {
  // A bounded fuzz of the loader: random byte edits, insertions and cuts.
  const std::string bytes = encode_trace(sample());
  Prng prng(123);
  for (int round = 0; round < 3000; ++round) {
    std::string m = bytes;
    const int edits = 1 + static_cast<int>(prng.below(4));
    for (int e = 0; e < edits; ++e) {
      const size_t at = prng.below(m.size() + 1);
      switch (prng.below(3)) {
        case 0:
          if (at < m.size()) m[at] = static_cast<char>(prng.next());
          break;
        case 1:
          m.insert(at, 1, static_cast<char>(prng.next()));
          break;
        case 2:
          m.resize(at);
          break;
      }
    }
    auto r = decode_trace(m, "fuzz");
    if (r.ok()) EXPECT_EQ(m, bytes);  // only an unchanged file may load
  }
}

TEST(Trace, SavesAtomicallyAndLoads) {
  const std::string dir = ::testing::TempDir() + "lockstep_trace_test";
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/sub/t.lockstep";
  ASSERT_TRUE(save_trace(path, sample()).ok());
  for (const auto& e : std::filesystem::directory_iterator(dir + "/sub")) {
    EXPECT_EQ(e.path().filename(), "t.lockstep");  // no temporary left behind
  }
  auto back = load_trace(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->failure.message, "boom");
  auto missing = load_trace(dir + "/nope.lockstep");
  EXPECT_FALSE(missing.ok());
  auto directory = load_trace(dir);
  EXPECT_FALSE(directory.ok());
}

TEST(Trace, ABooleanByteThatIsNotZeroOrOneReadsAsTrue) {
  Trace t = sample();
  std::string file = encode_trace(t);
  // The facts field ends the payload; its last byte is the last access's
  // `writes` (1). Make it 12.
  std::string payload = records(file);
  ASSERT_EQ(payload.back(), '\x01');
  payload.back() = '\x0c';
  auto back = decode_trace(frame(payload), "t");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->facts.accesses.back().writes);
}

TEST(Trace, AScenarioPathThatIsNotLuaIsRefused) {
  Trace t = sample();
  t.scenario_path = "/dev/zero";
  auto where = locate_scenario(t, "x.lockstep");
  ASSERT_FALSE(where.ok());
  EXPECT_NE(where.status().message().find("not a .lua scenario"), std::string::npos);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// Runs writing into one traces directory never clobber each other's
// traces: a re-run replaces its own, a run with other options gets a name
// of its own.
TEST(Trace, ARunsTraceReplacesItsOwnButNotAnotherRunsOfTheSameName) {
  const std::string dir = ::testing::TempDir() + "run_traces_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/x.a-test-iter3-seed9.lockstep";
  Trace a = sample();
  auto first = save_run_trace(path, a);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, path);
  a.failure.message = "boom again";  // the same run, again (the scenario changed)
  auto again = save_run_trace(path, a);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, path);
  EXPECT_EQ(load_trace(path)->failure.message, "boom again");
  Trace b = sample();
  b.strategy = "pos";  // another run, same name
  auto other = save_run_trace(path, b);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, path);
  EXPECT_EQ(other->rfind(dir + "/x.a-test-iter3-seed9-", 0), 0u) << *other;
  EXPECT_EQ(load_trace(path)->strategy, "pct");
  EXPECT_EQ(load_trace(*other)->strategy, "pos");
  EXPECT_EQ(*save_run_trace(path, b), *other);  // and its re-run replaces its own
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 2u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// A crafted trace (valid checksum) whose string claims 4 GiB: refused from
// the size field alone, before anything is allocated.
TEST(Trace, ASizeFieldLargerThanTheFileIsRefusedBeforeAllocating) {
  std::string field;
  field += '\x01';  // little endian
  for (int i = 0; i < 8; ++i) field += static_cast<char>(i == 4 ? 1 : 0);  // 2^32 characters
  std::string payload;
  auto put = [](std::string& out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put(payload, 1, 4);  // tag 1: tool version
  put(payload, field.size(), 8);
  payload += field;
  std::string file = "LOCKSTEP";
  put(file, 2, 4);
  put(file, 0, 4);
  put(file, payload.size(), 8);
  put(file, fnv1a(payload), 8);
  file += payload;
  auto t = decode_trace(file, "crafted.lockstep");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("a size field says 4294967296 elements"), std::string::npos)
      << t.status().message();
}

// A staged file is written once and put in place by link (never over a
// file already there) or by rename (over it); one never placed leaves
// nothing behind.
TEST(Trace, AStagedFileIsPlacedOnceAndLeavesNothingBehind) {
  namespace fs = std::filesystem;
  const std::string dir = ::testing::TempDir() + "staged_" + std::to_string(::getpid());
  fs::remove_all(dir);
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto count = [&] {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
    return n;
  };
  {
    auto one = StagedFile::write(dir + "/a", "one", Sync::kInBackground);
    ASSERT_TRUE(one.ok()) << one.status().message();
    EXPECT_TRUE(*one->place_new(dir + "/a"));
  }
  EXPECT_EQ(read(dir + "/a"), "one");
  EXPECT_TRUE(wait_for_background_syncs().empty());  // it reached the disk
  {
    auto two = StagedFile::write(dir + "/a", "two");
    ASSERT_TRUE(two.ok());
    EXPECT_FALSE(*two->place_new(dir + "/a"));  // taken: left as it was
    EXPECT_EQ(read(dir + "/a"), "one");
    EXPECT_TRUE(*two->place_new(dir + "/b"));   // the same bytes, placed elsewhere
    EXPECT_TRUE(two->place_over(dir + "/a").ok());
  }
  EXPECT_EQ(read(dir + "/a"), "two");
  EXPECT_EQ(read(dir + "/b"), "two");
  {
    auto unplaced = StagedFile::write(dir + "/c", "three");
    ASSERT_TRUE(unplaced.ok());
    EXPECT_EQ(count(), 3u);  // a, b and the staged file
  }
  EXPECT_EQ(count(), 2u);
  EXPECT_FALSE(fs::exists(dir + "/c"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lockstep
