#include "engine/trace.h"

#include <unistd.h>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/hash.h"
#include "engine/json.h"

namespace lockstep {

// cereal serialisation, field order fixed by the format version.
template <class A>
void serialize(A& a, Decision& d) {
  a(d.kind, d.step, d.value);
}
template <class A>
void serialize(A& a, Event& e) {
  a(e.step, e.kind, e.pid, e.peer, e.cause, e.detail, e.object, e.writes);
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
template <class A>
void serialize(A& a, StrategyParams& p) {
  a(p.pct_depth);
}
template <class A>
void serialize(A& a, IterationHint& h) {
  a(h.iteration, h.max_scheduling_points);
}
template <class A>
void serialize(A& a, RunOptions& o) {
  a(o.max_steps, o.iter_timeout_ms, o.fail_on_max_steps, o.allow_crashes, o.timers);
}
template <class A>
void serialize(A& a, Trace& t) {
  a(t.tool_version, t.scenario_path, t.scenario_hash, t.test_name, t.strategy, t.params, t.hint,
    t.seed, t.iteration, t.iteration_seed, t.options, t.decisions, t.events, t.logs, t.processes,
    t.failure, t.steps);
}

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
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

}  // namespace

std::string encode_trace(const Trace& trace) {
  std::ostringstream payload_stream;
  {
    cereal::PortableBinaryOutputArchive archive(payload_stream);
    archive(const_cast<Trace&>(trace));
  }
  const std::string payload = payload_stream.str();
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
    return Status::Corruption(name + ": truncated trace (header is " + std::to_string(bytes.size()) +
                              " of " + std::to_string(kHeaderSize) + " bytes)");
  }
  const auto version = static_cast<uint32_t>(get_le(bytes, 8, 4));
  if (version == 0 || version > kTraceFormatVersion) {
    return Status::Corruption(name + ": trace format version " + std::to_string(version) +
                              " is not supported (this lockstep reads version " +
                              std::to_string(kTraceFormatVersion) + ")");
  }
  if (get_le(bytes, 12, 4) != 0) return Status::Corruption(name + ": corrupt trace (unknown header flags)");
  const uint64_t size = get_le(bytes, 16, 8);
  const uint64_t sum = get_le(bytes, 24, 8);
  const std::string_view payload = bytes.substr(kHeaderSize);
  if (payload.size() != size) {
    return Status::Corruption(name + ": truncated or padded trace (" + std::to_string(payload.size()) +
                              " bytes of data, header says " + std::to_string(size) + ")");
  }
  if (fnv1a(payload) != sum) return Status::Corruption(name + ": corrupt trace (checksum mismatch)");
  Trace trace;
  try {
    std::istringstream in{std::string(payload)};
    cereal::PortableBinaryInputArchive archive(in);
    archive(trace);
  } catch (const std::exception& e) {
    return Status::Corruption(name + ": corrupt trace (" + e.what() + ")");
  }
  trace.format_version = version;
  return trace;
}

Status save_trace(const std::string& path, const Trace& trace) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Status::IoError("cannot create " + target.parent_path().string() + ": " + ec.message());
  }
  const std::string bytes = encode_trace(trace);
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fflush(f) == 0 && ok;
  ok = ::fsync(::fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return Status::IoError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
  return Status::Ok();
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

std::string trace_to_json(const Trace& t) {
  JsonWriter w;
  w.begin_object();
  w.key("format_version").value(t.format_version);
  w.key("tool_version").value(t.tool_version);
  w.key("scenario_path").value(t.scenario_path);
  char hash[24];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(t.scenario_hash));
  w.key("scenario_hash").value(hash);
  w.key("test").value(t.test_name);
  w.key("strategy").value(t.strategy);
  w.key("pct_depth").value(t.params.pct_depth);
  w.key("max_scheduling_points_hint").value(t.hint.max_scheduling_points);
  w.key("seed").value(t.seed);
  w.key("iteration").value(t.iteration);
  w.key("iteration_seed").value(t.iteration_seed);
  w.key("options").begin_object();
  w.key("max_steps").value(t.options.max_steps);
  w.key("iter_timeout").value(t.options.iter_timeout_ms);
  w.key("fail_on_max_steps").value(t.options.fail_on_max_steps);
  w.key("allow_crashes").value(t.options.allow_crashes);
  w.key("timers").value(t.options.timers);
  w.end_object();
  w.key("steps").value(t.steps);
  w.key("failure").begin_object();
  w.key("kind").value(failure_kind_name(t.failure.kind));
  w.key("step").value(t.failure.step);
  w.key("process").value(t.failure.pid);
  w.key("message").value(t.failure.message);
  w.key("location").value(t.failure.location);
  w.key("details").value(t.failure.details);
  w.end_object();
  w.key("processes").begin_array();
  for (const auto& p : t.processes) {
    w.begin_object().key("pid").value(p.pid).key("name").value(p.name).end_object();
  }
  w.end_array();
  w.key("decisions").begin_array();
  for (const auto& d : t.decisions) {
    w.begin_object().key("kind").value(decision_kind_name(d.kind));
    if (d.kind != DecisionKind::kChoice) w.key("step_kind").value(step_kind_name(d.step));
    w.key("value").value(d.value).end_object();
  }
  w.end_array();
  w.key("events").begin_array();
  for (const auto& e : t.events) {
    w.begin_object()
        .key("step").value(e.step)
        .key("kind").value(step_kind_name(e.kind))
        .key("pid").value(e.pid)
        .key("peer").value(e.peer)
        .key("cause").value(e.cause)
        .key("detail").value(e.detail)
        .key("object").value(e.object)
        .key("writes").value(e.writes)
        .end_object();
  }
  w.end_array();
  w.key("logs").begin_array();
  for (const auto& l : t.logs) {
    w.begin_object().key("step").value(l.step).key("pid").value(l.pid).key("text").value(l.text).end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace lockstep
