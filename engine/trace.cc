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
#include <zlib.h>

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
void decode_field(std::string_view bytes, T& value) {
  BoundedInputArchive archive(bytes);
  archive(value);
}

void put_u32(std::string& out, uint32_t v);
void put_u64(std::string& out, uint64_t v);
uint64_t get_le(std::string_view b, size_t at, int n);

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
          t.events[event].location = index + 1;
        }
        t.locations = std::move(locations.first);
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

namespace {

// Counts the bytes written through it.
class CountingBuf final : public std::streambuf {
 public:
  uint64_t count = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    count += static_cast<uint64_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) ++count;
    return traits_type::not_eof(c);
  }
};

// Format 3's payload: the raw size of the records (u64), then their zlib
// stream. Fields are serialised straight into the compressor (measured
// first by a counting pass, for their size), so no field is copied whole:
// the memory a trace's encoding takes beside the trace is what it writes.
class RecordWriter final : public std::streambuf {
 public:
  RecordWriter() {
    put_u64(out_, 0);  // patched by finish()
    // The fastest level: on a million-step trace 5x faster than the default
    // for 10% more bytes.
    if (deflateInit(&z_, Z_BEST_SPEED) != Z_OK) throw std::bad_alloc();
    setp(buf_, buf_ + sizeof buf_);
  }
  ~RecordWriter() override { deflateEnd(&z_); }

  // One record: tag:u32 size:u64, then the cereal encoding of `values`.
  template <class... T>
  void put(uint32_t tag, const T&... values) {
    CountingBuf counter;
    {
      std::ostream os(&counter);
      cereal::PortableBinaryOutputArchive archive(os);
      archive(const_cast<T&>(values)...);
    }
    std::string head;
    put_u32(head, tag);
    put_u64(head, counter.count);
    sputn(head.data(), static_cast<std::streamsize>(head.size()));
    std::ostream os(this);
    cereal::PortableBinaryOutputArchive archive(os);
    archive(const_cast<T&>(values)...);
  }

  std::string finish() {
    drain(Z_FINISH);
    for (int i = 0; i < 8; ++i) out_[i] = static_cast<char>((raw_ >> (8 * i)) & 0xff);
    return std::move(out_);
  }

 protected:
  int_type overflow(int_type c) override {
    drain(Z_NO_FLUSH);
    if (c != traits_type::eof()) sputc(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }

 private:
  // Compresses what is buffered (and with Z_FINISH ends the stream).
  void drain(int flush) {
    const size_t n = static_cast<size_t>(pptr() - pbase());
    raw_ += n;
    z_.next_in = reinterpret_cast<Bytef*>(pbase());
    z_.avail_in = static_cast<uInt>(n);
    char chunk[1 << 14];
    int rc;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(chunk);
      z_.avail_out = sizeof chunk;
      rc = deflate(&z_, flush);
      out_.append(chunk, sizeof chunk - z_.avail_out);
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    setp(buf_, buf_ + sizeof buf_);
  }

  z_stream z_{};
  char buf_[1 << 16];
  uint64_t raw_ = 0;
  std::string out_;
};

std::string encode_records(const Trace& t) {
  RecordWriter w;
  w.put(kTagToolVersion, t.tool_version);
  w.put(kTagScenarioPath, t.scenario_path);
  w.put(kTagScenarioHash, t.scenario_hash);
  w.put(kTagTestName, t.test_name);
  w.put(kTagStrategy, t.strategy);
  w.put(kTagParams, params_pairs(t.params));
  w.put(kTagHint, Pairs{{"iteration", std::to_string(t.hint.iteration)},
                        {"max_scheduling_points", std::to_string(t.hint.max_scheduling_points)}});
  w.put(kTagSeed, t.seed);
  w.put(kTagIteration, t.iteration);
  w.put(kTagIterationSeed, t.iteration_seed);
  w.put(kTagOptions, options_pairs(t.options));
  w.put(kTagDecisions, t.decisions);
  w.put(kTagEvents, t.events);
  w.put(kTagLogs, t.logs);
  w.put(kTagProcesses, t.processes);
  w.put(kTagFailure, t.failure);
  w.put(kTagSteps, t.steps);
  w.put(kTagFacts, t.facts.steps, t.facts.accesses);  // as a pair
  if (!t.working_dir.empty()) w.put(kTagWorkingDir, t.working_dir);
  std::vector<std::pair<uint32_t, std::string>> nodes;
  for (const ProcessName& p : t.processes) {
    if (!p.node.empty()) nodes.emplace_back(p.pid, p.node);
  }
  if (!nodes.empty()) w.put(kTagProcessNodes, nodes);
  // After the events (a reader attaches locations to events it has read).
  std::vector<std::pair<uint32_t, uint32_t>> located;
  for (size_t i = 0; i < t.events.size(); ++i) {
    if (t.location_of(t.events[i]).empty()) continue;
    located.emplace_back(static_cast<uint32_t>(i), t.events[i].location - 1);
  }
  if (!located.empty()) w.put(kTagEventLocations, t.locations, located);  // as Locations
  return w.finish();
}

// The largest record stream a trace may inflate to: a trace is read into
// memory whole, so a crafted file must not claim more.
constexpr uint64_t kMaxRawTrace = uint64_t{4} << 30;

std::string inflate_records(std::string_view payload) {
  if (payload.size() < 8) throw std::runtime_error("no size before the compressed records");
  if (payload.size() - 8 > UINT32_MAX) throw std::runtime_error("larger than a trace may be (4 GiB)");
  const uint64_t raw_size = get_le(payload, 0, 8);
  if (raw_size > kMaxRawTrace) {
    throw std::runtime_error("its records claim " + std::to_string(raw_size) +
                             " bytes, more than a trace may hold (4 GiB)");
  }
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw std::bad_alloc();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data() + 8));
  z.avail_in = static_cast<uInt>(payload.size() - 8);
  // Grown as the data comes, so a false claim costs nothing.
  std::string raw(static_cast<size_t>(std::min<uint64_t>(raw_size, 1 << 20)), '\0');
  size_t have = 0;
  const char* problem = nullptr;
  for (;;) {
    if (have == raw.size() && raw.size() < raw_size) {
      raw.resize(static_cast<size_t>(std::min<uint64_t>(raw_size, uint64_t{raw.size()} * 2)));
    }
    char probe;  // once full, the stream must end without more output
    const bool full = have == raw.size();
    z.next_out = full ? reinterpret_cast<Bytef*>(&probe) : reinterpret_cast<Bytef*>(raw.data() + have);
    z.avail_out = full ? 1 : static_cast<uInt>(std::min<size_t>(raw.size() - have, 1u << 30));
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (full && z.avail_out == 0) {
      problem = "its records are longer than the header says";
      break;
    }
    if (!full) have = static_cast<size_t>(reinterpret_cast<char*>(z.next_out) - raw.data());
    if (rc == Z_STREAM_END) {
      if (z.avail_in != 0) problem = "bytes after the compressed records";
      else if (have != raw_size) problem = "its records are shorter than the header says";
      break;
    }
    if (rc != Z_OK) {
      problem = rc == Z_BUF_ERROR ? "its compressed records are cut short" : "its compressed records are damaged";
      break;
    }
  }
  inflateEnd(&z);
  if (problem) throw std::runtime_error(problem);
  return raw;
}

}  // namespace




namespace {

struct Framed {
  uint32_t version = 0;
  std::string_view payload;
};

// The header's checks: magic, version, flags, size and checksum.
Result<Framed> unframe(std::string_view bytes, const std::string& name) {
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
  return Framed{version, payload};
}

std::string frame(std::string_view payload) {
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, kTraceFormatVersion);
  put_u32(out, 0);
  put_u64(out, payload.size());
  put_u64(out, fnv1a(payload));
  out += payload;
  return out;
}

}  // namespace

std::string encode_trace(const Trace& t) { return frame(encode_records(t)); }

Result<Trace> decode_trace(std::string_view bytes, const std::string& name) {
  auto framed = unframe(bytes, name);
  if (!framed.ok()) return framed.status();
  const uint32_t version = framed->version;
  Trace trace;
  try {
    if (version == 1) {
      BoundedInputArchive archive(framed->payload);
      load_v1(archive, trace);
    } else if (version == 2) {
      decode_v2(framed->payload, trace);
    } else {
      decode_v2(inflate_records(framed->payload), trace);
    }
  } catch (const std::exception& e) {
    return Status::Corruption(name + ": corrupt trace (" + e.what() + ")");
  }
  trace.format_version = version;
  trace.options.root_waits = is_search(trace.strategy);
  return trace;
}

Result<std::string> trace_records(std::string_view file, const std::string& name) {
  auto framed = unframe(file, name);
  if (!framed.ok()) return framed.status();
  if (framed->version < 3) return std::string(framed->payload);
  try {
    return inflate_records(framed->payload);
  } catch (const std::exception& e) {
    return Status::Corruption(name + ": corrupt trace (" + e.what() + ")");
  }
}

std::string trace_file(std::string_view records) {
  RecordWriter w;
  w.sputn(records.data(), static_cast<std::streamsize>(records.size()));
  return frame(w.finish());
}

Status save_trace(const std::string& path, const Trace& trace) {
  return write_file_atomically(path, encode_trace(trace), Sync::kBeforePlacing);
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
  // Written once, then placed: at `path` if free, over a trace of the
  // same run, or beside one of another. The disk gets it in the
  // background, so a search that goes on after a bug need not wait for
  // it; run_files() waits before it reports the run's end.
  auto file = StagedFile::write(path, encode_trace(trace), Sync::kInBackground);
  if (!file.ok()) return file.status();
  std::string candidate = path;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto fresh = file->place_new(candidate);
    if (!fresh.ok()) return fresh.status();
    if (*fresh) return candidate;
    auto existing = load_trace(candidate);
    if (!existing.ok() ||
        run_identity(*existing) == run_identity(trace)) {  // a re-run (or junk): replace it
      if (Status s = file->place_over(candidate); !s.ok()) return s;
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
