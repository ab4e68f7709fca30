#include "engine/checker/history.h"

#include <map>

#include "engine/base/json.h"

namespace lockstep::checker {

Result<std::vector<Operation>> pair_history(const std::vector<HistoryEvent>& events, const std::string& source) {
  std::vector<Operation> ops;
  ops.reserve(events.size() / 2 + 1);
  std::vector<bool> drop;
  std::map<int64_t, size_t> open;  // process -> its pending invocation
  auto who = [](const HistoryEvent& e) { return e.who.empty() ? "process " + std::to_string(e.process) : e.who; };
  auto where = [&](const HistoryEvent& e) {
    return e.where.empty() ? source + ":" + std::to_string(e.position) : e.where;
  };
  for (size_t k = 0; k < events.size(); ++k) {
    const HistoryEvent& e = events[k];
    if (e.type == HistoryEvent::Type::kInvoke) {
      if (open.count(e.process)) {
        return Status::InvalidArgument(where(e) + ": " + who(e) + " invokes again before its previous operation completed");
      }
      Operation op;
      op.client = e.process;
      op.call = e.position;
      op.f = e.f;
      op.key = e.key;
      op.input = e.value;
      op.id = static_cast<int64_t>(ops.size());
      op.invoke_event = static_cast<int64_t>(k);
      open[e.process] = ops.size();
      ops.push_back(std::move(op));
      drop.push_back(false);
      continue;
    }
    auto it = open.find(e.process);
    if (it == open.end()) {
      return Status::InvalidArgument(where(e) + ": " + who(e) + " completes an operation it never invoked");
    }
    const size_t index = it->second;
    open.erase(it);
    Operation& op = ops[index];
    op.complete_event = static_cast<int64_t>(k);
    const bool cas = op.f == "cas";
    switch (e.type) {
      case HistoryEvent::Type::kOk:
        op.ret = e.position;
        op.output = cas && e.value.kind != Value::Kind::kBool ? Value::boolean(true) : e.value;
        break;
      case HistoryEvent::Type::kFail:
        if (e.timed_out) {
          op.known = false;
        } else if (cas) {
          op.ret = e.position;  // it completed, finding another value
          op.output = Value::boolean(false);
        } else {
          drop[index] = true;  // it took no effect
        }
        break;
      case HistoryEvent::Type::kInfo:
        op.known = false;
        break;
      case HistoryEvent::Type::kInvoke:
        break;
    }
  }
  for (auto& [process, index] : open) ops[index].known = false;  // never completed
  std::vector<Operation> out;
  out.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    if (drop[i]) continue;
    if (!ops[i].known) ops[i].ret = kNever;
    ops[i].id = static_cast<int64_t>(out.size());
    out.push_back(std::move(ops[i]));
  }
  return out;
}

std::string write_json_lines(const std::vector<HistoryEvent>& events) {
  static constexpr const char* kTypes[] = {"invoke", "ok", "fail", "info"};
  auto quoted = [](const std::string& text) {
    JsonWriter w;
    w.value(text);
    return w.str();
  };
  std::string out;
  for (const HistoryEvent& e : events) {
    out += "{\"type\": \"";
    out += kTypes[static_cast<int>(e.type)];
    out += "\", \"process\": " + std::to_string(e.process) + ", \"f\": " + quoted(e.f);
    if (!e.key.empty()) out += ", \"key\": " + quoted(e.key);
    out += ", \"value\": ";
    switch (e.value.kind) {
      case Value::Kind::kNil: out += "null"; break;
      case Value::Kind::kInt: out += std::to_string(e.value.i); break;
      case Value::Kind::kString: out += quoted(e.value.s); break;
      case Value::Kind::kBool: out += e.value.i != 0 ? "true" : "false"; break;
      case Value::Kind::kPair: out += "[" + std::to_string(e.value.i) + ", " + std::to_string(e.value.j) + "]"; break;
      case Value::Kind::kAtom:
      case Value::Kind::kAtomPair: out += quoted(e.value.s); break;  // not written: the scenario side checks first
    }
    out += "}\n";
  }
  return out;
}

}  // namespace lockstep::checker
