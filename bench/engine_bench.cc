// Engine benchmarks. Each figure is the median of repeated runs; ratios are
// computed within one run.
//   1. ns per engine step on a two-process ping-pong, next to a bare Lua
//      coroutine resume+yield round trip and a bare stack switch round trip
//      (what a step uses instead), both measured in this binary.
//   2. us per iteration of a tiny test (3 processes x 10 sync points);
//      the ping-pong step again with each record a run may keep (its
//      decisions, step facts, coverage, a failing run's events and lines).
//   3. per-step cost with 10, 1,000 and 10,000 live processes (the marginal
//      cost of extra steps, so spawning them does not count), the cost of
//      spawning a process; a selective receive skipping 1,000 queued
//      messages; ETS operations per second.
//   4. nodes: a round trip between two nodes (send, delivery, receive) next
//      to one on a node, the delivery step's cost against a local step; the
//      per-step cost with 100 nodes x 100 live processes against one node;
//      the round trip with a fault budget (faults offered, none injected).
// Usage: engine_bench [--json FILE]
#include <lua.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "engine/base/json.h"
#include "engine/causality.h"
#include "engine/coverage.h"
#include "engine/runner.h"
#include "engine/trace.h"
#include "engine/scheduler.h"
#include "engine/strategy.h"
#include "lua/fiber.h"
#include "lua/guest.h"
#include "vm/vm.h"

using namespace lockstep;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int yield_fn(lua_State* L) { return lua_yield(L, 0); }

// ns per resume+yield in C-compiled Lua, measured by bench/bare_lua.c (a
// separate binary: the two Lua builds export the same names).
double bare_c_round_trip_ns() {
  FILE* out = popen(LOCKSTEP_BARE_LUA, "r");
  double ns = 0;
  if (out == nullptr || std::fscanf(out, "%lf", &ns) != 1) ns = 0;
  if (out != nullptr) pclose(out);
  return ns;
}

// ns per resume+yield of a coroutine calling a C function that yields.
double bare_round_trip_ns() {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  lua_register(L, "y", yield_fn);
  lua_State* co = lua_newthread(L);
  luaL_loadstring(co, "while true do y() end");
  int nres;
  lua_resume(co, L, 0, &nres);
  const int n = 200000;
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) lua_resume(co, L, 0, &nres);
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
  lua_close(L);
  return ns;
}

void switch_back_forever(boost::context::detail::transfer_t t) {
  for (;;) t = boost::context::detail::jump_fcontext(t.fctx, nullptr);
}

// ns per switch to another stack and back (lua/fiber.h).
double bare_switch_ns() {
  lua::StackPool pool;
  auto ctx = lua::StackPool::prepare(pool.acquire(), switch_back_forever);
  const int n = 2000000;
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) ctx = lua::fiber::jump(ctx, nullptr).fctx;
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
}

std::string write_scenario(const std::string& name, const std::string& body) {
  const std::string dir = std::filesystem::temp_directory_path() / "lockstep_bench";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + name + ".lua";
  std::ofstream(path) << body;
  return path;
}

struct Timing {
  double seconds = 0;
  uint64_t steps = 0;
  uint64_t iterations = 0;
};

// What a run keeps of each step, beyond what the strategy is told.
enum class Keep {
  kNothing,    // the schedule is not kept (the bench's baseline)
  kDecisions,  // every run: the decisions, to save a trace should it fail
  kFacts,      // the step facts too (what explain and the causal slice read)
  kCoverage,   // decisions and --coverage's recorder
  kRecord,     // what a failing run's trace records: decisions, facts,
               // events with their scenario lines, logs
};

// Runs `iterations` iterations of the scenario's first test under random.
Timing run(const std::string& path, uint64_t iterations, uint64_t max_steps = 10000000,
           Keep keep = Keep::kNothing) {
  auto program = lua::LuaProgram::load(path);
  if (!program.ok()) {
    std::fprintf(stderr, "%s\n", program.status().message().c_str());
    std::exit(1);
  }
  auto strategy = make_random_strategy({});
  RunOptions options;
  options.max_steps = max_steps;
  options.iter_timeout_ms = 600000;
  std::vector<Decision> decisions;
  FactLog facts;
  CoverageRecorder coverage;
  Trace trace;
  Timing t;
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < iterations; ++i) {
    IterationLimits limits;
    limits.max_steps = max_steps;
    IterationResult r;
    if (keep == Keep::kRecord) {
      Status status = Status::Ok();
      r = record_iteration(**program, 0, options, *strategy, i + 1, {}, trace, status);
      if (!status.ok()) {
        std::fprintf(stderr, "%s\n", status.message().c_str());
        std::exit(1);
      }
      t.steps += r.steps;
      continue;
    }
    strategy->begin_iteration(i + 1, {});
    auto sys = (*program)->start(0, options);
    decisions.clear();
    facts.clear();
    if (keep == Keep::kCoverage) coverage.begin();
    r = run_iteration(**sys, *strategy, limits, keep == Keep::kNothing ? nullptr : &decisions,
                      keep == Keep::kFacts ? &facts : nullptr, keep == Keep::kCoverage ? &coverage : nullptr);
    if (keep == Keep::kCoverage) coverage.finish();
    if (r.outcome == Outcome::kFailed) {
      std::fprintf(stderr, "benchmark scenario failed: %s\n", r.failure.message.c_str());
      std::exit(1);
    }
    t.steps += r.steps;
  }
  t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  t.iterations = iterations;
  return t;
}

template <typename F>
double median_of(int repeats, F f) {
  std::vector<double> v;
  for (int i = 0; i < repeats; ++i) v.push_back(f());
  return median(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_out;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--json") json_out = argv[i + 1];
  }
  const int repeats = 5;
  JsonWriter w;
  w.begin_object();

  // 1. Ping-pong step cost vs the bare round trip.
  const std::string pingpong = write_scenario("pingpong",
      "lockstep.test('pingpong', function()\n"
      "  local parent = lockstep.self()\n"
      "  local p = lockstep.spawn(function() for i = 1, 20000 do lockstep.send(parent, lockstep.receive()) end end)\n"
      "  for i = 1, 20000 do lockstep.send(p, i); lockstep.receive() end\n"
      "end)\n");
  std::vector<double> bares, switches, steps, switch_ratios;
  for (int r = 0; r < repeats; ++r) {
    const double b = bare_round_trip_ns();
    const double sw = bare_switch_ns();
    const Timing t = run(pingpong, 1);
    const double s = t.seconds * 1e9 / t.steps;
    bares.push_back(b);
    switches.push_back(sw);
    steps.push_back(s);
    switch_ratios.push_back(s / sw);
  }
  const double bare = median(bares), sw = median(switches), step = median(steps);
  const double bare_c = median_of(repeats, bare_c_round_trip_ns);
  std::printf("%-58s %12.1f ns\n", "bare C-Lua resume+yield round trip (the bar)", bare_c);
  std::printf("%-58s %12.1f ns\n", "bare C++-Lua resume+yield round trip (a yield is a throw)", bare);
  std::printf("%-58s %12.1f ns\n", "bare stack switch round trip (what a step uses)", sw);
  std::printf("%-58s %12.1f ns  (%.2fx the C-Lua round trip, %.0fx the switch)\n",
              "engine step, two-process ping-pong", step, bare_c > 0 ? step / bare_c : 0.0, median(switch_ratios));
  w.key("bare_c_round_trip_ns").value(bare_c).key("bare_round_trip_ns").value(bare);
  w.key("bare_switch_ns").value(sw).key("pingpong_step_ns").value(step);
  w.key("step_to_c_round_trip").value(bare_c > 0 ? step / bare_c : 0.0);
  w.key("step_to_switch").value(median(switch_ratios));

  // 2. Tiny iterations: 3 processes x 10 sync points.
  const std::string tiny = write_scenario("tiny",
      "lockstep.test('tiny', function()\n"
      "  local parent = lockstep.self()\n"
      "  for i = 1, 2 do lockstep.spawn(function() for j = 1, 5 do lockstep.send(parent, j) end end) end\n"
      "  for i = 1, 10 do lockstep.receive() end\n"
      "end)\n");
  const double tiny_us = median_of(repeats, [&] {
    const Timing t = run(tiny, 2000);
    return t.seconds * 1e6 / t.iterations;
  });
  std::printf("%-58s %12.1f us  (%.0f iterations/s)\n", "tiny iteration (3 processes x 10 sync points)", tiny_us,
              1e6 / tiny_us);
  w.key("tiny_iteration_us").value(tiny_us).key("tiny_iterations_per_second").value(1e6 / tiny_us);

  // 2'. What a step's record costs: the ping-pong step with nothing kept,
  // then with each record a run may keep (medians; the difference is the
  // record's cost per step).
  {
    struct Mode {
      Keep keep;
      const char* name;
      const char* key;
    };
    const Mode modes[] = {
        {Keep::kNothing, "nothing kept", "nothing"},
        {Keep::kDecisions, "decisions (every run keeps them)", "decisions"},
        {Keep::kFacts, "decisions and step facts", "facts"},
        {Keep::kCoverage, "decisions and coverage (--coverage)", "coverage"},
        {Keep::kRecord, "a failing run's record (events, lines, facts)", "recorded"},
    };
    std::vector<std::vector<double>> ns(std::size(modes));
    for (int r = 0; r < 9; ++r) {  // interleaved, so drift hits every mode alike
      for (size_t m = 0; m < std::size(modes); ++m) {
        const Timing t = run(pingpong, 3, 10000000, modes[m].keep);
        ns[m].push_back(t.seconds * 1e9 / t.steps);
      }
    }
    const double base_ns = median(ns[0]);
    w.key("step_ns_by_record").begin_object();
    for (size_t m = 0; m < std::size(modes); ++m) {
      const double v = median(ns[m]);
      std::printf("%-58s %12.1f ns  (%+.1f ns)\n", (std::string("step, ") + modes[m].name).c_str(), v, v - base_ns);
      w.key(modes[m].key).value(v);
    }
    w.end_object();
  }

  // 3a. Per-step cost with many live (blocked) processes: the difference
  // between 50,000 and 10,000 ping-pong round trips, so the spawns cancel.
  auto many = [&](int n, int rounds) {
    return write_scenario("many" + std::to_string(n) + "_" + std::to_string(rounds),
        "lockstep.test('many', function()\n"
        "  for i = 1, " + std::to_string(n) + " do lockstep.spawn(function() lockstep.receive() end) end\n"
        "  local parent = lockstep.self()\n"
        "  local p = lockstep.spawn(function() for i = 1, " + std::to_string(rounds) +
        " do lockstep.send(parent, lockstep.receive()) end end)\n"
        "  for i = 1, " + std::to_string(rounds) + " do lockstep.send(p, i); lockstep.receive() end\n"
        "end)\n");
  };
  double base = 0;
  w.key("step_ns_by_live_processes").begin_object();
  for (int n : {10, 1000, 10000}) {
    const std::string few = many(n, 10000), lots = many(n, 50000);
    const double ns = median_of(repeats, [&] {
      const Timing a = run(few, 1), b = run(lots, 1);
      return (b.seconds - a.seconds) * 1e9 / static_cast<double>(b.steps - a.steps);
    });
    if (n == 10) base = ns;
    std::printf("%-58s %12.1f ns  (%.2fx the 10-process cost)\n",
                ("step with " + std::to_string(n) + " live processes").c_str(), ns, ns / base);
    w.key(std::to_string(n)).value(ns);
  }
  w.end_object();

  // 3a'. Spawning: a process started and blocked in receive, per process,
  // in a run that reuses its stacks (as every iteration after the first does).
  const std::string spawns = write_scenario("spawns",
      "lockstep.test('spawns', function()\n"
      "  for i = 1, 10000 do lockstep.spawn(function() lockstep.receive() end) end\n"
      "end)\n");
  const double spawn_ns = median_of(repeats, [&] {
    const Timing one = run(spawns, 1), four = run(spawns, 4);  // the first maps the stacks
    return (four.seconds - one.seconds) * 1e9 / (3 * 10000);
  });
  std::printf("%-58s %12.1f ns\n", "spawn a process and run it to its first receive", spawn_ns);
  w.key("spawn_ns").value(spawn_ns);

  // 3b. Selective receive past 1,000 queued non-matching messages.
  const std::string selective = write_scenario("selective",
      "lockstep.test('selective', function()\n"
      "  local me = lockstep.self()\n"
      "  for i = 1, 1000 do lockstep.send(me, 'noise') end\n"
      "  for i = 1, 2000 do lockstep.send(me, i); lockstep.receive(function(m) return m == i end) end\n"
      "end)\n");
  const double sel = median_of(repeats, [&] {
    const Timing t = run(selective, 1);
    return t.seconds * 1e6 / 2000;
  });
  std::printf("%-58s %12.2f us\n", "send + selective receive past 1,000 queued messages", sel);
  w.key("selective_receive_us").value(sel);

  // 3c. ETS operations per second.
  for (const char* type : {"set", "ordered_set"}) {
    const std::string ets = write_scenario(std::string("ets_") + type,
        std::string("lockstep.test('ets', function()\n"
                    "  local t = lockstep.ets.new('t', { type = '") + type + "' })\n"
        "  for i = 1, 20000 do lockstep.ets.insert(t, { i % 5000, i }); lockstep.ets.lookup(t, (i * 7) % 5000) end\n"
        "end)\n");
    const double ops = median_of(repeats, [&] {
      const Timing t = run(ets, 1);
      return 40000 / t.seconds;
    });
    std::printf("%-58s %12.0f ops/s\n", (std::string("ETS ") + type + " insert/lookup").c_str(), ops);
    w.key(std::string("ets_") + type + "_ops_per_second").value(ops);
  }
  // 4a. A delivery step against a local step: ping-pong on one node and
  // across two nodes, marginal cost per round (the spawns cancel).
  auto pingpong_on = [&](const std::string& where, int rounds, const std::string& options = "{}") {
    return write_scenario("pp_" + where + std::to_string(rounds) + (options == "{}" ? "" : "_faults"),
        "lockstep.test('pp', " + options + ", function()\n"
        "  lockstep.cluster.start_nodes({'b'})\n"
        "  local parent = lockstep.self()\n"
        "  local p = lockstep.spawn_on('" + where + "', function() for i = 1, " + std::to_string(rounds) +
        " do lockstep.send(parent, lockstep.receive()) end end)\n"
        "  for i = 1, " + std::to_string(rounds) + " do lockstep.send(p, i); lockstep.receive() end\n"
        "end)\n");
  };
  struct Round {
    double ns_per_round, ns_per_step;
  };
  auto rounds = [&](const std::string& where, const std::string& options = "{}") {
    const std::string few = pingpong_on(where, 10000, options), lots = pingpong_on(where, 50000, options);
    std::vector<double> per_round, per_step;
    for (int r = 0; r < repeats; ++r) {
      const Timing a = run(few, 1), b = run(lots, 1);
      per_round.push_back((b.seconds - a.seconds) * 1e9 / 40000);
      per_step.push_back((b.seconds - a.seconds) * 1e9 / static_cast<double>(b.steps - a.steps));
    }
    return Round{median(per_round), median(per_step)};
  };
  const Round local = rounds("main"), remote = rounds("b");
  // A remote round is the local round plus two delivery steps.
  const double delivery_ns = (remote.ns_per_round - local.ns_per_round) / 2;
  std::printf("%-58s %12.1f ns  (%.1f ns per step, 4 steps)\n", "round trip on one node", local.ns_per_round,
              local.ns_per_step);
  std::printf("%-58s %12.1f ns  (%.1f ns per step, 6 steps)\n", "round trip between two nodes", remote.ns_per_round,
              remote.ns_per_step);
  std::printf("%-58s %12.1f ns  (%.2fx a local step)\n", "delivery step (the difference, per delivery)", delivery_ns,
              delivery_ns / local.ns_per_step);
  w.key("local_round_ns").value(local.ns_per_round).key("remote_round_ns").value(remote.ns_per_round);
  w.key("delivery_step_ns").value(delivery_ns).key("delivery_to_local_step").value(delivery_ns / local.ns_per_step);
  // 4a'. The same with a fault budget: every deliverable message is offered
  // with its drop and duplicate too (the first iteration injects none, so
  // the protocol runs as without faults): what offering faults costs.
  const Round offered = rounds("b", "{faults = {drop = 1000, duplicate = 1000}}");
  std::printf("%-58s %12.1f ns  (%.2fx without a budget)\n", "round trip between two nodes, faults offered",
              offered.ns_per_round, offered.ns_per_round / remote.ns_per_round);
  w.key("remote_round_faults_offered_ns").value(offered.ns_per_round);

  // 4b. 100 nodes x 100 live processes against 10,000 on one node: the
  // per-step cost of a ping-pong between two nodes.
  auto crowd = [&](int nodes, int per_node, int rounds_n) {
    return write_scenario("crowd" + std::to_string(nodes) + "_" + std::to_string(rounds_n),
        "lockstep.test('crowd', function()\n"
        "  local names = {}\n"
        "  for i = 1, " + std::to_string(nodes) + " do names[i] = 'n' .. i end\n"
        "  lockstep.cluster.start_nodes(names)\n"
        "  for _, n in ipairs(names) do for j = 1, " + std::to_string(per_node) +
        " do lockstep.spawn_on(n, function() lockstep.receive() end) end end\n"
        "  local parent = lockstep.self()\n"
        "  local p = lockstep.spawn_on('n1', function() for i = 1, " + std::to_string(rounds_n) +
        " do lockstep.send(parent, lockstep.receive()) end end)\n"
        "  for i = 1, " + std::to_string(rounds_n) + " do lockstep.send(p, i); lockstep.receive() end\n"
        "end)\n");
  };
  auto crowd_step = [&](int nodes, int per_node) {
    const std::string few = crowd(nodes, per_node, 10000), lots = crowd(nodes, per_node, 50000);
    return median_of(repeats, [&] {
      const Timing a = run(few, 1), b = run(lots, 1);
      return (b.seconds - a.seconds) * 1e9 / static_cast<double>(b.steps - a.steps);
    });
  };
  const double one_node = crowd_step(1, 10000), hundred = crowd_step(100, 100);
  std::printf("%-58s %12.1f ns\n", "step, 1 node x 10,000 live processes (ping-pong across 2)", one_node);
  std::printf("%-58s %12.1f ns  (%.2fx one node)\n", "step, 100 nodes x 100 live processes", hundred,
              hundred / one_node);
  w.key("step_ns_1_node_10000").value(one_node).key("step_ns_100_nodes_100").value(hundred);
  w.key("nodes_100_to_1").value(hundred / one_node);

  // A state fingerprint (what a state cache takes after every step) of a
  // realistic model part-way through an iteration: every process's
  // continuation, mailboxes, nodes and the network.
  auto fingerprint_us = [&](const std::string& file, int steps) {
    auto program = lua::LuaProgram::load(std::string(LOCKSTEP_SOURCE_DIR) + "/scenarios/" + file);
    if (!program.ok()) {
      std::fprintf(stderr, "%s\n", program.status().message().c_str());
      std::exit(1);
    }
    auto sys = (*program)->start(0, RunOptions{});
    struct First : ChoiceSource {
      uint64_t choose(uint64_t) override { return 0; }
    } first;
    for (int i = 0; i < steps && !(*sys)->enabled().empty(); ++i) {
      const Op op = (*sys)->enabled()[0];
      if ((*sys)->step(op, first).finished) break;
    }
    auto* vm = dynamic_cast<vm::Vm*>(*sys);
    return median_of(repeats, [&] {
      constexpr int kCalls = 2000;
      uint64_t sink = 0;
      const auto t0 = Clock::now();
      for (int i = 0; i < kCalls; ++i) sink += vm->fingerprint().lo;
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (sink == 42) std::printf(" ");
      return s * 1e6 / kCalls;
    });
  };
  const double fp_counter = fingerprint_us("genserver_counter_fixed.lua", 30);
  const double fp_split = fingerprint_us("split_brain_fixed.lua", 60);
  std::printf("%-58s %12.2f us\n", "state fingerprint, genserver_counter_fixed at step 30", fp_counter);
  std::printf("%-58s %12.2f us\n", "state fingerprint, split_brain_fixed at step 60", fp_split);
  w.key("fingerprint_us_genserver_counter").value(fp_counter).key("fingerprint_us_split_brain").value(fp_split);

  w.end_object();
  if (!json_out.empty()) std::ofstream(json_out) << w.str() << "\n";
  return 0;
}
