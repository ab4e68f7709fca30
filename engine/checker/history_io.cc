#include "engine/checker/history_io.h"

#include <cstdio>

#include "engine/checker/history.h"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>

#include "engine/base/json.h"

namespace lockstep::checker {
namespace {

// Part of a line as an error quotes it: at most 60 bytes (and how long it
// was), control bytes as \xNN, so one bad value is one short line.
std::string quoted(std::string_view text) {
  constexpr size_t kShown = 60;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f || c >= 0x80) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "\"";
  if (text.size() > kShown) out += " (" + std::to_string(text.size()) + " bytes, the first " + std::to_string(kShown) + " shown)";
  return out;
}

// One event of a history, before invocations are matched to completions.
struct RawEvent {
  enum class Type { kInvoke, kOk, kFail, kInfo } type;
  int64_t process = 0;
  std::string f;
  std::string key;
  Value value;
  bool timed_out = false;  // :fail with :timed-out (outcome unknown)
  bool bad = false;        // an unparsable value
};

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

std::optional<int64_t> parse_int(const std::string& s) {
  if (s.empty()) return std::nullopt;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t k = i; k < s.size(); ++k) {
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
  }
  try {
    return std::stoll(s);
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<RawEvent::Type> parse_type(const std::string& t) {
  if (t == "invoke") return RawEvent::Type::kInvoke;
  if (t == "ok") return RawEvent::Type::kOk;
  if (t == "fail") return RawEvent::Type::kFail;
  if (t == "info") return RawEvent::Type::kInfo;
  return std::nullopt;
}

// "nil", "3", "[1 2]", ":timed-out"
Value parse_jepsen_value(const std::string& v, bool& timed_out, bool& bad) {
  if (v.empty() || v == "nil") return Value::nil();
  if (v == ":timed-out") {
    timed_out = true;
    return Value::nil();
  }
  if (auto i = parse_int(v)) return Value::integer(*i);
  if (v.front() == '[' && v.back() == ']') {
    std::istringstream in(v.substr(1, v.size() - 2));
    std::string a, b;
    in >> a >> b;
    auto x = parse_int(a), y = parse_int(b);
    if (x && y) return Value::pair(*x, *y);
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return Value::string(v.substr(1, v.size() - 2));
  bad = true;
  return Value::nil();
}

// The next word of `s` (split at white space), consumed.
std::string_view next_word(std::string_view& s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  size_t a = 0;
  while (a < s.size() && space(s[a])) ++a;
  size_t b = a;
  while (b < s.size() && !space(s[b])) ++b;
  const std::string_view word = s.substr(a, b - a);
  s.remove_prefix(b);
  return word;
}

// "INFO  jepsen.util - 3	:invoke	:cas	[1 2]"
std::optional<RawEvent> parse_jepsen_line(std::string_view line, std::string& error) {
  const size_t dash = line.find(" - ");
  if (dash == std::string::npos) {
    error = "expected \"jepsen.util - <process> :<type> :<f> <value>\"";
    return std::nullopt;
  }
  std::string_view in = line.substr(dash + 3);
  const std::string_view process = next_word(in), type = next_word(in), f = next_word(in);
  const std::string rest = trim(in);
  RawEvent e;
  auto p = parse_int(std::string(process));
  if (!p) return std::nullopt;  // :nemesis and other non-client lines
  e.process = *p;
  if (type.size() < 2 || type[0] != ':' || f.size() < 2 || f[0] != ':') {
    error = "expected :<type> :<f> after the process";
    return std::nullopt;
  }
  auto t = parse_type(std::string(type.substr(1)));
  if (!t) {
    error = "unknown event type " + quoted(type);
    return std::nullopt;
  }
  e.type = *t;
  e.f = std::string(f.substr(1));
  e.value = parse_jepsen_value(rest, e.timed_out, e.bad);
  if (e.bad) error = "cannot read the value " + quoted(rest);
  return e;
}

// A flat EDN map: {:process 1, :type :ok, :f :get, :key "x", :value "v"}
std::optional<RawEvent> parse_edn_line(const std::string& line, std::string& error) {
  std::map<std::string, std::string> fields;
  size_t i = line.find('{');
  const size_t end = line.rfind('}');
  if (i == std::string::npos || end == std::string::npos || end < i) {
    error = "expected an EDN map {...}";
    return std::nullopt;
  }
  ++i;
  while (i < end) {
    while (i < end && (std::isspace(static_cast<unsigned char>(line[i])) || line[i] == ',')) ++i;
    if (i >= end) break;
    if (line[i] != ':') {
      error = "expected a keyword at column " + std::to_string(i + 1);
      return std::nullopt;
    }
    size_t k = i + 1;
    while (k < end && !std::isspace(static_cast<unsigned char>(line[k]))) ++k;
    const std::string key = line.substr(i + 1, k - i - 1);
    while (k < end && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
    size_t v = k;
    if (v < end && line[v] == '"') {
      ++v;
      std::string s;
      while (v < end && line[v] != '"') {
        if (line[v] == '\\' && v + 1 < end) ++v;
        s += line[v++];
      }
      if (v >= end) {
        error = "unterminated string";
        return std::nullopt;
      }
      fields[key] = "\"" + s + "\"";
      i = v + 1;
    } else {
      while (v < end && !std::isspace(static_cast<unsigned char>(line[v])) && line[v] != ',') ++v;
      fields[key] = line.substr(k, v - k);
      i = v;
    }
  }
  RawEvent e;
  auto p = parse_int(fields["process"]);
  auto t = fields["type"].size() > 1 ? parse_type(fields["type"].substr(1)) : std::nullopt;
  if (!p || !t || fields["f"].size() < 2) {
    error = "expected :process <int>, :type :invoke|:ok|:fail|:info and :f :<name>";
    return std::nullopt;
  }
  e.process = *p;
  e.type = *t;
  e.f = fields["f"].substr(1);
  if (auto it = fields.find("key"); it != fields.end()) {
    const std::string& k = it->second;
    e.key = k.size() >= 2 && k.front() == '"' ? k.substr(1, k.size() - 2) : k;
  }
  const std::string& value = fields["value"];
  if (value.size() >= 2 && value.front() == '"') {
    e.value = Value::string(value.substr(1, value.size() - 2));
  } else {
    e.value = parse_jepsen_value(value, e.timed_out, e.bad);
    if (e.bad) error = "cannot read the value " + quoted(value);
  }
  return e;
}

// Our JSON lines: {"type":"ok","process":1,"f":"read","key":"x","value":3}
// Values: null, integers, strings, booleans, [a, b].
// One JSON object per line, read with the engine's JSON reader (strings
// unescaped, numbers exact).
std::optional<RawEvent> parse_json_line(const std::string& line, std::string& error) {
  auto doc = parse_json(line);
  if (!doc.ok()) {
    error = "not a JSON object (" + doc.status().message() + ")";
    return std::nullopt;
  }
  const JsonValue* process = doc->get("process");
  auto t = parse_type(doc->str("type"));
  if (!process || process->type != JsonValue::Type::kNumber || !parse_int(process->text) || !t ||
      doc->str("f").empty()) {
    error = "expected \"type\", \"process\" and \"f\" fields";
    return std::nullopt;
  }
  RawEvent ev;
  ev.process = *parse_int(process->text);
  ev.type = *t;
  ev.f = doc->str("f");
  ev.key = doc->str("key");
  const JsonValue* v = doc->get("value");
  if (!v || v->type == JsonValue::Type::kNull) {
    ev.value = Value::nil();
  } else if (v->type == JsonValue::Type::kBool) {
    ev.value = Value::boolean(v->boolean);
  } else if (v->type == JsonValue::Type::kString) {
    ev.value = Value::string(v->text);
  } else if (v->type == JsonValue::Type::kNumber && parse_int(v->text)) {
    ev.value = Value::integer(*parse_int(v->text));
  } else if (v->type == JsonValue::Type::kArray && v->items.size() == 2 &&
             v->items[0].type == JsonValue::Type::kNumber && v->items[1].type == JsonValue::Type::kNumber &&
             parse_int(v->items[0].text) && parse_int(v->items[1].text)) {
    ev.value = Value::pair(*parse_int(v->items[0].text), *parse_int(v->items[1].text));
  } else {
    error = "cannot read the value (null, an integer, a string, a boolean or [a, b] expected)";
    return std::nullopt;
  }
  return ev;
}

}  // namespace

Result<std::vector<Operation>> parse_history(std::string_view text, const std::string& name) {
  std::vector<HistoryEvent> events;
  int64_t n = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++n;
    std::string_view t = line;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    std::string error;
    std::optional<RawEvent> e;
    if (t.find("jepsen.util") != std::string_view::npos) {
      e = parse_jepsen_line(t, error);
    } else if (t.starts_with("{:")) {
      e = parse_edn_line(std::string(t), error);
    } else if (t.starts_with("{\"")) {
      e = parse_json_line(std::string(t), error);
    } else {
      return Status::InvalidArgument(name + ":" + std::to_string(n) +
                                     ": not a history event (expected a Jepsen log line, an EDN map or a JSON object)");
    }
    if (!error.empty()) return Status::InvalidArgument(name + ":" + std::to_string(n) + ": " + error);
    if (!e) continue;  // a line to skip (e.g. the nemesis)
    HistoryEvent h;
    h.type = static_cast<HistoryEvent::Type>(e->type);
    h.process = e->process;
    h.f = std::move(e->f);
    h.key = std::move(e->key);
    h.value = std::move(e->value);
    h.timed_out = e->timed_out;
    h.position = n;  // errors name it name:n (pair_history)
    events.push_back(std::move(h));
  }
  return pair_history(events, name);
}

std::string to_json_lines(const std::vector<Operation>& ops) {
  // Operations paired from events (pair_history) are written back at their
  // events' places, so an unknown outcome that was reported (an info) stays
  // in the history and its process may invoke again after it. Operations
  // built otherwise are ordered by their call and return times.
  const bool from_events =
      std::all_of(ops.begin(), ops.end(), [](const Operation& op) { return op.invoke_event >= 0; });
  struct Place {
    int64_t time;
    bool invoke;
    const Operation* op;
  };
  std::vector<Place> places;
  places.reserve(ops.size() * 2);
  for (const auto& op : ops) {
    places.push_back({from_events ? op.invoke_event : op.call, true, &op});
    if (from_events && op.complete_event >= 0) {
      places.push_back({op.complete_event, false, &op});
    } else if (!from_events && op.ret != kNever) {
      places.push_back({op.ret, false, &op});
    }
  }
  std::stable_sort(places.begin(), places.end(), [](const Place& a, const Place& b) { return a.time < b.time; });
  std::vector<HistoryEvent> events;
  events.reserve(places.size());
  for (const Place& p : places) {
    HistoryEvent e;
    e.type = p.invoke ? HistoryEvent::Type::kInvoke
                      : (p.op->known ? HistoryEvent::Type::kOk : HistoryEvent::Type::kInfo);
    e.process = p.op->client;
    e.f = p.op->f;
    e.key = p.op->key;
    e.value = p.invoke ? p.op->input : p.op->output;
    events.push_back(std::move(e));
  }
  return write_json_lines(events);
}

Result<FileCheckReport> check_history(std::string_view text, const FileCheck& check) {
  auto ops = parse_history(text, check.file);
  if (!ops.ok()) return ops.status();
  auto model = make_model(check.model, check.initial);
  if (Status known = check_operations(*ops, *model); !known.ok()) {
    return Status::InvalidArgument(check.file + ": " + known.message());
  }
  FileCheckReport r;
  r.operations = ops->size();
  const auto start = std::chrono::steady_clock::now();
  r.result = checker::check(*ops, *model, check.sequential ? Consistency::kSequential : Consistency::kLinearizable,
                            check.limits);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string consistency = check.sequential ? "sequential" : "linearizable";
  using Verdict = CheckResult::Verdict;
  r.verdict = r.result.verdict == Verdict::kConsistent  ? consistency
              : r.result.verdict == Verdict::kViolation ? "not " + consistency
                                                        : "unknown (" + r.result.unknown + ")";
  return r;
}

std::string file_check_text(const FileCheck& check, const FileCheckReport& r) {
  const std::string consistency = check.sequential ? "sequential" : "linearizable";
  const std::string shown =
      r.result.verdict == CheckResult::Verdict::kViolation ? "NOT " + consistency : r.verdict;
  std::string out = check.file + ": " + shown + " (" + std::to_string(r.operations) + " operations, model " +
                    check.model + ")\n";
  if (!r.result.ok) out += r.result.explanation + "\n";
  return out;
}

std::string file_check_json(const FileCheck& check, const FileCheckReport& r) {
  JsonWriter w;
  w.begin_object();
  w.key("file").value(check.file);
  w.key("model").value(check.model);
  w.key("consistency").value(check.sequential ? "sequential" : "linearizable");
  w.key("verdict").value(r.verdict);
  w.key("valid");
  if (r.result.verdict == CheckResult::Verdict::kUnknown) {
    w.null();
  } else {
    w.value(r.result.ok);
  }
  w.key("operations").value(static_cast<uint64_t>(r.operations));
  w.key("parts").value(static_cast<uint64_t>(r.result.parts));
  w.key("decided_by_zones").value(static_cast<uint64_t>(r.result.by_zones));
  w.key("unknown_reads_dropped").value(static_cast<uint64_t>(r.result.dropped));
  w.key("explored").value(r.result.explored);
  w.key("peak_memory_bytes").value(r.result.memory);
  w.key("seconds").value(r.seconds);
  if (!r.result.partition.empty()) w.key("key").value(r.result.partition);
  if (!r.result.ok) w.key("explanation").value(r.result.explanation);
  w.end_object();
  return w.str() + "\n";
}

}  // namespace lockstep::checker
