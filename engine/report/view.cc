#include "engine/report/view.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "engine/base/json.h"
#include "engine/report/report.h"
#include "engine/report/schedule.h"

namespace lockstep {

// The page's template (engine/report/view.html), embedded at build time.
extern const char* const kViewHtml;

namespace {

constexpr size_t kMaxDetail = 2000;  // characters of one step's detail drawn in the page

// What family of operation a step is: the page colours and shapes by it.
std::string_view category(StepKind k) {
  using K = StepKind;
  if (is_fault(k)) return "fault";
  switch (k) {
    case K::kSend:
    case K::kGlobalSend:
      return "send";
    case K::kReceive:
      return "receive";
    case K::kDeliver:
      return "deliver";
    case K::kStart:
    case K::kSpawn:
    case K::kExit:
    case K::kSignal:
      return "life";
    case K::kLink:
    case K::kUnlink:
    case K::kMonitor:
    case K::kDemonitor:
    case K::kTrapExit:
    case K::kIsAlive:
      return "link";
    case K::kRegister:
    case K::kUnregister:
    case K::kWhereis:
    case K::kRegistered:
    case K::kGlobalRegister:
    case K::kGlobalUnregister:
    case K::kGlobalWhereis:
      return "name";
    case K::kSleep:
    case K::kSendAfter:
    case K::kCancelTimer:
    case K::kTimer:
      return "timer";
    case K::kHistory:
      return "history";
    case K::kStartNodes:
    case K::kStopNode:
    case K::kStartNode:
    case K::kPartition:
    case K::kHeal:
      return "cluster";
    default:
      return "state";  // ets, atomics, persistent terms, disk
  }
}

// Cluster changes and faults are drawn across every lane.
bool is_band(StepKind k) {
  const std::string_view c = category(k);
  return c == "cluster" || c == "fault";
}

ArrowKind cause_arrow(StepKind k) {
  switch (k) {
    case StepKind::kStart:
      return ArrowKind::kSpawn;
    case StepKind::kExit:
      return ArrowKind::kSignal;
    case StepKind::kTimer:
      return ArrowKind::kTimer;
    case StepKind::kDeliver:
      return ArrowKind::kDelivery;
    default:
      return ArrowKind::kMessage;
  }
}

// Labels and lanes of every process, computed once (a trace may name
// thousands of processes). The trace's process table lists the processes
// with a name or a node; the others appear only in steps.
struct Lanes {
  std::vector<ViewLane> lanes;
  std::unordered_map<int64_t, int> by_pid;

  explicit Lanes(const Trace& trace) {
    std::unordered_map<int64_t, std::string> node_of;
    std::vector<std::string> nodes = {"main"};  // in order of first appearance, "main" first
    for (const auto& p : trace.processes) {
      const std::string node = p.node.empty() ? "main" : p.node;
      node_of[p.pid] = node;
      if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) nodes.push_back(node);
    }
    const bool with_nodes = nodes.size() > 1;
    std::vector<int64_t> pids;
    auto add = [&](int64_t pid) {
      if (pid >= 0 && by_pid.emplace(pid, 0).second) pids.push_back(pid);
    };
    for (const Event& e : trace.events) add(e.pid), add(e.peer);
    for (const StepRecord& r : trace.facts.steps) add(r.actor);
    for (const auto& p : trace.processes) add(p.pid);
    auto node_rank = [&](int64_t pid) {
      auto it = node_of.find(pid);
      const std::string node = it == node_of.end() ? "main" : it->second;
      return std::find(nodes.begin(), nodes.end(), node) - nodes.begin();
    };
    std::sort(pids.begin(), pids.end(), [&](int64_t a, int64_t b) {
      const auto ra = node_rank(a), rb = node_rank(b);
      return ra != rb ? ra < rb : a < b;
    });
    ProcessNames names(trace);
    for (int64_t pid : pids) {
      by_pid[pid] = static_cast<int>(lanes.size());
      lanes.push_back(
          {pid, names.display(pid), with_nodes ? printable(nodes[node_rank(pid)]) : ""});
    }
  }

  int of(int64_t pid) const {
    if (pid < 0) return -1;
    auto it = by_pid.find(pid);
    return it == by_pid.end() ? -1 : it->second;
  }
};

// Where a step is drawn: the process it acted as; a delivery at its
// receiver; a cluster change or fault across every lane.
int lane_of(const Lanes& lanes, const Event& e, int64_t actor) {
  if (e.kind == StepKind::kDeliver) {  // on the receiver's lane; with none (a name no one holds), the sender's
    const int l = lanes.of(e.peer);
    return l >= 0 ? l : lanes.of(e.pid);
  }
  if (is_band(e.kind)) return lanes.of(actor);
  return lanes.of(actor >= 0 ? actor : e.pid);
}

std::string clip(std::string text) {
  if (text.size() <= kMaxDetail) return text;
  size_t cut = kMaxDetail;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
    --cut;  // whole UTF-8 characters
  text.resize(cut);
  return text + "... (" + "shortened; dump-trace shows all)";
}

}  // namespace

std::string_view arrow_kind_name(ArrowKind kind) {
  switch (kind) {
    case ArrowKind::kMessage:
      return "message";
    case ArrowKind::kDelivery:
      return "delivery";
    case ArrowKind::kSpawn:
      return "spawn";
    case ArrowKind::kSignal:
      return "signal";
    case ArrowKind::kTimer:
      return "timer";
  }
  return "message";
}

ViewModel build_view(const Trace& trace, const ViewOptions& options) {
  ViewModel m;
  m.total_steps = trace.events.size();
  Lanes lanes(trace);
  std::vector<uint32_t> slice;
  const bool sliced = trace.failure && !trace.facts.empty();
  if (sliced) slice = causal_slice(trace);
  auto in_slice = [&](uint32_t step) {
    return !sliced || std::binary_search(slice.begin(), slice.end(), step);
  };

  std::unordered_map<uint32_t, int64_t> actor_of;  // step -> acting process, from the facts
  for (const StepRecord& r : trace.facts.steps) actor_of[r.step] = r.actor;
  std::unordered_map<uint32_t, int> lane_at;  // drawn step -> lane
  std::unordered_set<uint32_t> dropped;        // deliveries that did not arrive
  const bool deadlock = trace.failure.kind == FailureKind::kDeadlock;
  for (const Event& e : trace.events) {
    const bool kept = in_slice(e.step);
    if (options.slice_only && !kept) continue;
    const auto a = actor_of.find(e.step);
    ViewStep s;
    s.step = e.step;
    s.lane = lane_of(lanes, e, a != actor_of.end() ? a->second : -1);
    s.peer_lane = lanes.of(e.peer);
    s.in_slice = kept;
    s.failed = trace.failure && !deadlock && e.step == trace.failure.step;
    s.dropped = e.kind == StepKind::kDeliver && e.detail.find("(dropped") != std::string::npos;
    if (s.dropped) dropped.insert(e.step);
    lane_at[e.step] = s.lane;
    m.steps.push_back(s);
  }
  auto drawn_on_lane = [&](uint32_t step) {
    auto it = lane_at.find(step);
    return it != lane_at.end() && it->second >= 0;
  };
  for (const StepRecord& r : trace.facts.steps) {
    if (!drawn_on_lane(r.step)) continue;
    if (r.consumed && drawn_on_lane(r.consumed))
      m.arrows.push_back({r.consumed, r.step, ArrowKind::kMessage});
    if (r.cause && r.cause != r.consumed && drawn_on_lane(r.cause)) {
      m.arrows.push_back({r.cause, r.step, cause_arrow(r.kind)});
    }
  }
  std::unordered_map<uint32_t, bool> taken;  // steps an arrow leaves
  for (const ViewArrow& a : m.arrows) taken[a.from] = true;
  for (const Event& e : trace.events) {
    const bool carries = e.kind == StepKind::kSend || e.kind == StepKind::kGlobalSend ||
                         e.kind == StepKind::kDeliver;
    // Never received: queued, or in flight (held by a partition) when the
    // run ended. A delivery that was dropped has a mark of its own.
    if (carries && drawn_on_lane(e.step) && !taken.count(e.step) && !dropped.count(e.step) &&
        !trace.facts.empty()) {
      m.unreceived.push_back(e.step);
    }
  }
  if (!trace.facts.empty()) {
    const HappensBefore hb(trace.facts);
    for (const StepRecord& r : trace.facts.steps) {
      if (!drawn_on_lane(r.step)) continue;
      for (uint32_t d : hb.direct(r.step)) {
        if (d == r.consumed || d == r.cause || !drawn_on_lane(d) || lane_at[d] == lane_at[r.step])
          continue;
        m.state_edges.push_back({d, r.step, ArrowKind::kMessage});
      }
    }
  }
  m.lanes = std::move(lanes.lanes);
  return m;
}

namespace {

void write_view_header(JsonWriter& w, const Trace& trace, const ViewOptions& options, const ViewModel& m) {
  w.key("test").value(trace.test_name);
  w.key("scenario").value(trace.scenario_path);
  w.key("strategy").value(trace.strategy);
  w.key("seed").value(std::to_string(trace.seed));
  w.key("iteration").value(trace.iteration);
  w.key("total_steps").value(static_cast<uint64_t>(m.total_steps));
  w.key("slice_only").value(options.slice_only);
  w.key("sliced").value(trace.failure && !trace.facts.empty());
  w.key("failure").begin_object();
  w.key("kind").value(failure_kind_name(trace.failure.kind));
  w.key("step").value(trace.failure.step);
  w.key("summary").value(trace.failure ? describe_failure(trace) : std::string("no failure"));
  w.key("details").value(printable(trace.failure.details));
  w.end_object();
  w.key("lanes").begin_array();
  for (const ViewLane& l : m.lanes) w.begin_object().key("label").value(l.label).key("node").value(l.node).end_object();
  w.end_array();
}

// One object per drawn step, with short keys (the page's data is the
// bulk of its size): s step, k kind, c category, l/p lanes, a/b who,
// d detail, w where, x outside the slice, f failed, z dropped, g log lines.
void write_view_steps(JsonWriter& w, const Trace& trace, const ViewModel& m) {
  std::unordered_map<uint32_t, const Event*> event_at;
  for (const Event& e : trace.events) event_at[e.step] = &e;
  const ProcessNames names(trace);
  std::map<uint32_t, std::vector<std::string>> logs;
  for (const LogLine& l : trace.logs) logs[l.step].push_back(names.display(l.pid) + ": " + printable(l.text));
  w.key("steps").begin_array();
  for (const ViewStep& s : m.steps) {
    const Event& e = *event_at.at(s.step);
    w.begin_object();
    w.key("s").value(s.step).key("k").value(step_kind_name(e.kind)).key("c").value(category(e.kind));
    w.key("l").value(s.lane).key("p").value(s.peer_lane);
    w.key("a").value(e.pid >= 0 ? names.display(e.pid) : std::string());
    w.key("b").value(e.peer >= 0 ? names.display(e.peer) : std::string());
    w.key("d").value(clip(printable(e.detail)));
    if (auto where = trace.location_of(e); !where.empty()) w.key("w").value(printable(where));
    if (!s.in_slice) w.key("x").value(true);
    if (s.failed) w.key("f").value(true);
    if (s.dropped) w.key("z").value(true);
    if (auto it = logs.find(s.step); it != logs.end()) {
      w.key("g").begin_array();
      for (const auto& line : it->second) w.value(clip(line));
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
}

void write_arrows(JsonWriter& w, const char* key, const std::vector<ViewArrow>& list) {
  w.key(key).begin_array();
  for (const ViewArrow& a : list) {
    w.begin_object().key("from").value(a.from).key("to").value(a.to).key("kind").value(arrow_kind_name(a.kind));
    w.end_object();
  }
  w.end_array();
}

}  // namespace

Result<std::string> render_view_html(const Trace& trace, const ViewOptions& options,
                                     ViewModel* model_out) {
  ViewModel m = build_view(trace, options);
  if (m.steps.size() > options.max_steps) {
    return Status::InvalidArgument(
        "the trace has " + std::to_string(m.steps.size()) + " steps to draw; view draws at most " +
        std::to_string(options.max_steps) +
        " (--slice draws only the causal slice, --max-steps raises the limit)");
  }
  JsonWriter w;
  w.begin_object();
  write_view_header(w, trace, options, m);
  write_view_steps(w, trace, m);
  write_arrows(w, "arrows", m.arrows);
  write_arrows(w, "state", m.state_edges);
  w.key("unreceived").begin_array();
  for (uint32_t step : m.unreceived) w.value(step);
  w.end_array();
  w.end_object();

  // '<' only occurs inside JSON strings: as \u003c it cannot end the script element.
  std::string data;
  data.reserve(w.str().size());
  for (char c : w.str()) {
    if (c == '<')
      data += "\\u003c";
    else
      data += c;
  }
  std::string page = kViewHtml;
  const std::string marker = "/*LOCKSTEP_DATA*/";
  const size_t at = page.find(marker);
  if (at == std::string::npos)
    return Status::InvalidArgument("internal: the view template has no data marker");
  page.replace(at, marker.size(), data);
  if (model_out) *model_out = std::move(m);
  return page;
}

std::string render_shiviz(const Trace& trace) {
  const ViewModel m = build_view(trace, ViewOptions{});
  std::vector<std::string> hosts;
  for (const ViewLane& l : m.lanes) {
    std::string h = l.label;
    for (char& c : h) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\\') c = '_';
    }
    hosts.push_back(h);
  }
  const int cluster_host = static_cast<int>(hosts.size());  // steps of no process
  hosts.push_back("cluster");

  using Clock = std::vector<std::pair<int, uint32_t>>;  // (host, count), sorted by host
  auto join = [](Clock& into, const Clock& other) {
    Clock out;
    out.reserve(into.size() + other.size());
    size_t i = 0, j = 0;
    while (i < into.size() || j < other.size()) {
      if (j == other.size() || (i < into.size() && into[i].first < other[j].first))
        out.push_back(into[i++]);
      else if (i == into.size() || other[j].first < into[i].first)
        out.push_back(other[j++]);
      else {
        out.push_back({into[i].first, std::max(into[i].second, other[j].second)});
        ++i, ++j;
      }
    }
    into.swap(out);
  };
  std::unordered_map<uint32_t, Clock> clock_at;
  std::vector<Clock> last(hosts.size());
  std::vector<uint32_t> count(hosts.size(), 0);
  std::unique_ptr<HappensBefore> hb;
  if (!trace.facts.empty()) hb = std::make_unique<HappensBefore>(trace.facts);
  std::unordered_map<uint32_t, const Event*> event_at;
  for (const Event& e : trace.events) event_at[e.step] = &e;
  const ProcessNames names(trace);

  std::string out = "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})\n\n";
  for (const ViewStep& s : m.steps) {
    const int host = s.lane >= 0 ? s.lane : cluster_host;
    Clock c = last[host];
    if (hb) {
      for (uint32_t d : hb->direct(s.step)) {
        if (auto it = clock_at.find(d); it != clock_at.end()) join(c, it->second);
      }
    }
    const uint32_t own = ++count[host];
    auto pos = std::lower_bound(c.begin(), c.end(), std::make_pair(host, 0u));
    if (pos != c.end() && pos->first == host)
      pos->second = own;
    else
      c.insert(pos, {host, own});
    const Event& e = *event_at.at(s.step);
    std::string line = "step " + std::to_string(s.step) + " " + std::string(step_kind_name(e.kind));
    if (e.pid >= 0) line += " " + names.display(e.pid);
    if (e.peer >= 0)
      line += (e.kind == StepKind::kReceive ? " <- " : " -> ") + names.display(e.peer);
    if (!e.detail.empty()) line += "  " + printable(e.detail);
    if (s.failed) line += "  <-- FAILED HERE";
    for (char& ch : line) {
      if (ch == '\n') ch = ' ';
    }
    JsonWriter vc;
    vc.begin_object();
    for (const auto& [h, n] : c) vc.key(hosts[h]).value(n);
    vc.end_object();
    out += line + "\n" + hosts[host] + " " + vc.str() + "\n";
    clock_at[s.step] = c;
    last[host] = std::move(c);
  }
  return out;
}

}  // namespace lockstep
