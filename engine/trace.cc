#include "engine/trace.h"

#include <unistd.h>

#include <algorithm>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "engine/bounded_archive.h"
#include "engine/base/files.h"
#include "engine/base/hash.h"
#include "engine/base/json.h"
#include "engine/strategy.h"

namespace lockstep {

// cereal serialisation of the parts of a trace. Inside one tagged field the
// layout is fixed; a field that must change gets a new tag.
template <class A>
void serialize(A& a, Decision& d) {
  a(d.kind, d.step, d.value);
}
template <class A>
void serialize(A& a, Event& e) {
  a(e.step, e.kind, e.pid, e.peer, e.detail);
}
template <class A>
void serialize(A& a, LogLine& l) {
  a(l.step, l.pid, l.text);
}
template <class A>
void serialize(A& a, ProcessName& p) {
  a(p.pid, p.name);
}
template <class A>
void serialize(A& a, Failure& f) {
  a(f.kind, f.step, f.pid, f.message, f.location, f.details);
}
// Booleans travel as a byte and are read back as "not zero": a corrupt byte
// must not become an invalid bool.
template <class A>
void serialize(A& a, Access& x) {
  uint8_t writes = x.writes ? 1 : 0;
  a(x.object, writes);
  x.writes = writes != 0;
}
template <class A>
void serialize(A& a, StepRecord& r) {
  a(r.step, r.event.kind, r.event.id, r.kind, r.actor, r.consumed, r.cause, r.first_access,
    r.access_count);
}

namespace {

// --- Format 1: one positional record (read only). ---
struct EventV1 {
  Event event;
  uint32_t cause = 0;
  uint64_t object = 0;
  bool writes = false;
};
template <class A>
void serialize(A& a, EventV1& e) {
  uint8_t writes = 0;
  a(e.event.step, e.event.kind, e.event.pid, e.event.peer, e.cause, e.event.detail, e.object,
    writes);
  e.writes = writes != 0;
}

template <class A>
void load_v1(A& a, Trace& t) {
  std::vector<EventV1> events;
  uint32_t pct_depth = 0;
  uint8_t fail_on_max_steps = 0, allow_crashes = 0;
  std::string timers;
  a(t.tool_version, t.scenario_path, t.scenario_hash, t.test_name, t.strategy, pct_depth,
    t.hint.iteration, t.hint.max_scheduling_points, t.seed, t.iteration, t.iteration_seed,
    t.options.max_steps, t.options.iter_timeout_ms, fail_on_max_steps, allow_crashes,
    timers, t.decisions, events, t.logs, t.processes, t.failure, t.steps);
  t.params.set("pct_depth", pct_depth);
  t.options.fail_on_max_steps = fail_on_max_steps != 0;
  t.options.allow_crashes = allow_crashes != 0;
  t.options.timers = timers == "any" ? TimerMode::kAny : TimerMode::kQuiescent;
  // Format 1 kept causality on the printed events: the acting process, one
  // cross-process cause, and one shared object. Rebuild the step facts.
  for (EventV1& e : events) {
    StepFacts f;
    f.step = e.event.step;
    f.kind = e.event.kind;
    f.actor = e.event.pid;
    f.event = e.event.kind == StepKind::kTimer
                  ? EventKey{EventKind::kTimer, 0}
                  : EventKey::process(static_cast<uint32_t>(std::max<int64_t>(0, e.event.pid)));
    f.cause = e.cause;
    if (e.event.kind == StepKind::kReceive) f.consumed = e.cause;
    const Access access{e.object, e.writes};
    if (e.object != 0) f.accesses = std::span<const Access>(&access, 1);
    t.facts.add(f);
    t.events.push_back(std::move(e.event));
  }
}

// --- Format 2: tagged fields. ---
// Payload = records of tag:u32 size:u64 bytes[size], each the cereal
// encoding of one field. Readers skip tags they do not know; a retired tag
// is never reused. Listed in docs/trace-format.md.
enum Tag : uint32_t {
  kTagToolVersion = 1,
  kTagScenarioPath = 2,
  kTagScenarioHash = 3,
  kTagTestName = 4,
  kTagStrategy = 5,
  kTagParams = 6,  // name -> value pairs
  kTagHint = 7,    // name -> value pairs
  kTagSeed = 8,
  kTagIteration = 9,
  kTagIterationSeed = 10,
  kTagOptions = 11,  // name -> value pairs
  kTagDecisions = 12,
  kTagEvents = 13,
  kTagLogs = 14,
  kTagProcesses = 15,
  kTagFailure = 16,
  kTagSteps = 17,
  kTagFacts = 18,  // step records, then the access pool
  kTagWorkingDir = 19,
  kTagProcessNodes = 20,    // (pid, node) for processes not on "main"
  kTagEventLocations = 21,  // (distinct "file:line" strings, (event index, string index) pairs)
};

using Locations = std::pair<std::vector<std::string>, std::vector<std::pair<uint32_t, uint32_t>>>;

using Pairs = std::vector<std::pair<std::string, std::string>>;

template <class T>
std::string encode_field(const T& value) {
  std::ostringstream out;
  {
    cereal::PortableBinaryOutputArchive archive(out);
    archive(const_cast<T&>(value));
  }
  return out.str();
}

template <class T>
void decode_field(std::string_view bytes, T& value) {
  BoundedInputArchive archive(bytes);
  archive(value);
}

void put_u32(std::string& out, uint32_t v);
void put_u64(std::string& out, uint64_t v);
uint64_t get_le(std::string_view b, size_t at, int n);

void put_record(std::string& out, uint32_t tag, const std::string& bytes) {
  put_u32(out, tag);
  put_u64(out, bytes.size());
  out += bytes;
}

// Run options, params and hint as name/value pairs: a reader skips names
// it does not know (a newer lockstep's), and checks the ones it does.
Pairs options_pairs(const RunOptions& o) {
  Pairs out;
  for (const OptionSpec& spec : test_options()) {
    if (spec.target == OptionTarget::kRun) out.emplace_back(spec.name, o.get(spec.name));
  }
  return out;
}

Pairs params_pairs(const StrategyParams& p) {
  Pairs out;
  for (const auto& [name, value] : p.values()) out.emplace_back(name, std::to_string(value));
  return out;
}

bool read_pairs(const Pairs& pairs, Trace& t, int which, std::string& error) {
  for (const auto& [name, value] : pairs) {
    if (which == kTagOptions) {
      for (const OptionSpec& spec : test_options()) {
        if (spec.name != name || spec.target != OptionTarget::kRun) continue;
        if (Status ok = check_option(spec, value); !ok.ok()) {
          error = ok.message();
          return false;
        }
        t.options.set(name, value);
      }
      continue;
    }
    uint64_t n = 0;
    if (check_option({name, "", "", OptionType::kNumber, OptionTarget::kParam, "", ""}, value)
            .ok()) {
      n = option_number(value);
    } else {
      error = name + ": bad number \"" + value + "\"";
      return false;
    }
    if (which == kTagParams) {
      t.params.set(name, n);
    } else if (which == kTagHint) {
      if (name == "iteration")
        t.hint.iteration = n;
      else if (name == "max_scheduling_points")
        t.hint.max_scheduling_points = n;
    }
  }
  return true;
}

void decode_v2(std::string_view payload, Trace& t) {
  size_t at = 0;
  while (at < payload.size()) {
    if (payload.size() - at < 12) throw std::runtime_error("truncated field header");
    const auto tag = static_cast<uint32_t>(get_le(payload, at, 4));
    const uint64_t size = get_le(payload, at + 4, 8);
    at += 12;
    if (size > payload.size() - at)
      throw std::runtime_error("field " + std::to_string(tag) + " runs past the end");
    const std::string_view bytes = payload.substr(at, size);
    at += size;
    std::string error;
    switch (tag) {
      case kTagToolVersion:
        decode_field(bytes, t.tool_version);
        break;
      case kTagScenarioPath:
        decode_field(bytes, t.scenario_path);
        break;
      case kTagWorkingDir:
        decode_field(bytes, t.working_dir);
        break;
      case kTagScenarioHash:
        decode_field(bytes, t.scenario_hash);
        break;
      case kTagTestName:
        decode_field(bytes, t.test_name);
        break;
      case kTagStrategy:
        decode_field(bytes, t.strategy);
        break;
      case kTagParams:
      case kTagHint:
      case kTagOptions: {
        Pairs pairs;
        decode_field(bytes, pairs);
        if (!read_pairs(pairs, t, static_cast<int>(tag), error)) throw std::runtime_error(error);
        break;
      }
      case kTagSeed:
        decode_field(bytes, t.seed);
        break;
      case kTagIteration:
        decode_field(bytes, t.iteration);
        break;
      case kTagIterationSeed:
        decode_field(bytes, t.iteration_seed);
        break;
      case kTagDecisions:
        decode_field(bytes, t.decisions);
        break;
      case kTagEvents:
        decode_field(bytes, t.events);
        break;
      case kTagLogs:
        decode_field(bytes, t.logs);
        break;
      case kTagProcesses:
        decode_field(bytes, t.processes);
        break;
      case kTagProcessNodes: {
        std::vector<std::pair<uint32_t, std::string>> nodes;
        decode_field(bytes, nodes);
        // Linear: a trace may name thousands of processes.
        std::unordered_map<uint32_t, size_t> at;
        for (size_t i = 0; i < t.processes.size(); ++i) at.emplace(t.processes[i].pid, i);
        for (auto& entry : nodes) {
          auto [it, fresh] = at.emplace(entry.first, t.processes.size());
          if (fresh) t.processes.push_back(ProcessName{entry.first, "", ""});
          t.processes[it->second].node = std::move(entry.second);
        }
        break;
      }
      case kTagEventLocations: {
        Locations locations;
        decode_field(bytes, locations);
        for (const auto& [event, index] : locations.second) {
          if (event >= t.events.size() || index >= locations.first.size()) {
            throw std::runtime_error("event location out of range");
          }
          t.events[event].location = locations.first[index];
        }
        break;
      }
      case kTagFailure:
        decode_field(bytes, t.failure);
        break;
      case kTagSteps:
        decode_field(bytes, t.steps);
        break;
      case kTagFacts: {
        std::pair<std::vector<StepRecord>, std::vector<Access>> facts;
        decode_field(bytes, facts);
        t.facts.steps = std::move(facts.first);
        t.facts.accesses = std::move(facts.second);
        for (const StepRecord& r : t.facts.steps) {
          if (r.first_access > t.facts.accesses.size() ||
              r.access_count > t.facts.accesses.size() - r.first_access ||
              static_cast<size_t>(r.event.kind) >= kEventKinds) {
            throw std::runtime_error("step facts out of range");
          }
        }
        break;
      }
      default:
        break;  // written by a newer lockstep: skip
    }
  }
}

}  // namespace

namespace {

// File layout (little endian): magic[8] version:u32 flags:u32 size:u64 fnv:u64 payload[size]
constexpr char kMagic[8] = {'L', 'O', 'C', 'K', 'S', 'T', 'E', 'P'};
constexpr size_t kHeaderSize = 32;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t get_le(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

}  // namespace

std::string encode_trace(const Trace& t) {
  std::string payload;
  put_record(payload, kTagToolVersion, encode_field(t.tool_version));
  put_record(payload, kTagScenarioPath, encode_field(t.scenario_path));
  put_record(payload, kTagScenarioHash, encode_field(t.scenario_hash));
  put_record(payload, kTagTestName, encode_field(t.test_name));
  put_record(payload, kTagStrategy, encode_field(t.strategy));
  put_record(payload, kTagParams, encode_field(params_pairs(t.params)));
  put_record(
      payload, kTagHint,
      encode_field(Pairs{{"iteration", std::to_string(t.hint.iteration)},
                         {"max_scheduling_points", std::to_string(t.hint.max_scheduling_points)}}));
  put_record(payload, kTagSeed, encode_field(t.seed));
  put_record(payload, kTagIteration, encode_field(t.iteration));
  put_record(payload, kTagIterationSeed, encode_field(t.iteration_seed));
  put_record(payload, kTagOptions, encode_field(options_pairs(t.options)));
  put_record(payload, kTagDecisions, encode_field(t.decisions));
  put_record(payload, kTagEvents, encode_field(t.events));
  put_record(payload, kTagLogs, encode_field(t.logs));
  put_record(payload, kTagProcesses, encode_field(t.processes));
  put_record(payload, kTagFailure, encode_field(t.failure));
  put_record(payload, kTagSteps, encode_field(t.steps));
  put_record(payload, kTagFacts, encode_field(std::make_pair(t.facts.steps, t.facts.accesses)));
  if (!t.working_dir.empty()) put_record(payload, kTagWorkingDir, encode_field(t.working_dir));
  std::vector<std::pair<uint32_t, std::string>> nodes;
  for (const ProcessName& p : t.processes) {
    if (!p.node.empty()) nodes.emplace_back(p.pid, p.node);
  }
  if (!nodes.empty()) put_record(payload, kTagProcessNodes, encode_field(nodes));
  // After the events (a reader attaches locations to events it has read).
  Locations locations;
  std::unordered_map<std::string_view, uint32_t> index;
  for (size_t i = 0; i < t.events.size(); ++i) {
    const std::string& where = t.events[i].location;
    if (where.empty()) continue;
    auto [it, fresh] = index.emplace(where, static_cast<uint32_t>(locations.first.size()));
    if (fresh) locations.first.push_back(where);
    locations.second.emplace_back(static_cast<uint32_t>(i), it->second);
  }
  if (!locations.second.empty()) put_record(payload, kTagEventLocations, encode_field(locations));
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, kTraceFormatVersion);
  put_u32(out, 0);
  put_u64(out, payload.size());
  put_u64(out, fnv1a(payload));
  out += payload;
  return out;
}

Result<Trace> decode_trace(std::string_view bytes, const std::string& name) {
  if (bytes.empty()) return Status::Corruption(name + ": empty file, not a lockstep trace");
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return Status::Corruption(name + ": not a lockstep trace (bad magic)");
  }
  if (bytes.size() < kHeaderSize) {
    return Status::Corruption(name + ": truncated trace (header is " +
                              std::to_string(bytes.size()) + " of " + std::to_string(kHeaderSize) +
                              " bytes)");
  }
  const auto version = static_cast<uint32_t>(get_le(bytes, 8, 4));
  if (version == 0 || version > kTraceFormatVersion) {
    return Status::Corruption(name + ": trace format version " + std::to_string(version) +
                              " is not supported (this lockstep reads version " +
                              std::to_string(kTraceFormatVersion) + ")");
  }
  if (get_le(bytes, 12, 4) != 0)
    return Status::Corruption(name + ": corrupt trace (unknown header flags)");
  const uint64_t size = get_le(bytes, 16, 8);
  const uint64_t sum = get_le(bytes, 24, 8);
  const std::string_view payload = bytes.substr(kHeaderSize);
  if (payload.size() != size) {
    return Status::Corruption(name + ": truncated or padded trace (" +
                              std::to_string(payload.size()) + " bytes of data, header says " +
                              std::to_string(size) + ")");
  }
  if (fnv1a(payload) != sum)
    return Status::Corruption(name + ": corrupt trace (checksum mismatch)");
  Trace trace;
  try {
    if (version == 1) {
      BoundedInputArchive archive(payload);
      load_v1(archive, trace);
    } else {
      decode_v2(payload, trace);
    }
  } catch (const std::exception& e) {
    return Status::Corruption(name + ": corrupt trace (" + e.what() + ")");
  }
  trace.format_version = version;
  trace.options.root_waits = is_search(trace.strategy);
  return trace;
}

Status save_trace(const std::string& path, const Trace& trace) {
  return write_file_atomically(path, encode_trace(trace), /*sync=*/true);
}

namespace {

// What names a run's trace: the same values give the same file name.
std::string run_identity(const Trace& t) {
  std::string s = t.scenario_path + '\0' + t.test_name + '\0' + t.strategy + '\0' +
                  std::to_string(t.seed) + '\0' + std::to_string(t.iteration);
  for (const auto& [name, value] : params_pairs(t.params)) s += '\0' + name + '=' + value;
  for (const auto& [name, value] : options_pairs(t.options)) s += '\0' + name + '=' + value;
  return s;
}

}  // namespace

Result<std::string> save_run_trace(const std::string& path, const Trace& trace) {
  const std::string bytes = encode_trace(trace);
  std::string candidate = path;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto fresh = write_new_file(candidate, bytes, /*sync=*/true);
    if (!fresh.ok()) return fresh.status();
    if (*fresh) return candidate;
    auto existing = load_trace(candidate);
    if (!existing.ok() ||
        run_identity(*existing) == run_identity(trace)) {  // a re-run (or junk): replace it
      if (Status s = write_file_atomically(candidate, bytes, /*sync=*/true); !s.ok()) return s;
      return candidate;
    }
    char hash[16];
    std::snprintf(hash, sizeof hash, "-%08llx",
                  static_cast<unsigned long long>(fnv1a(run_identity(trace)) & 0xffffffffu));
    const std::string ext = ".lockstep";
    const bool has_ext =
        path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
    candidate = has_ext ? path.substr(0, path.size() - ext.size()) + hash + ext : path + hash;
  }
  return Status::IoError(path + " and " + candidate +
                         " both hold traces of runs with other options");
}

Result<Trace> load_trace(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::IoError(path + ": is a directory, not a trace file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read trace: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  return decode_trace(buf.str(), path);
}

std::vector<uint32_t> causal_slice(const Trace& trace) {
  return causal_slice(trace.facts, trace.failure.step, whole_frontier(trace.failure.kind));
}

}  // namespace lockstep
